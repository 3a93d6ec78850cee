// saerl/core/nn/mlp.hpp — a multilayer perceptron of any depth, ReLU between layers, with a
// manual backward pass.
//
//   using Net = saerl::Mlp<float, 75, 128, 128, 24>;     // sizes: input, hidden..., output
//   auto net = std::make_unique<Net>();                   // or a static Net: no heap inside
//   saerl::Rng rng(1);
//   net->init(rng);
//   saerl::MlpActivations<Net, 32> acts;                  // what a forward pass keeps, batch <= 32
//   const float* q = saerl::mlp_forward(*net, x, 32, acts);            // (32, 24)
//   acts.pre(1);                                          // second hidden layer before its ReLU
//   saerl::mlp_backward(*net, acts, dq, grad.get(), nullptr);          // grad: another Net
//
// All parameters live in one block, `params`: W0 b0 W1 b1 ... with W_l stored (in, out).
// A gradient has the same layout, so a gradient is simply another Mlp.
//
// Layer l maps width S[l] to S[l+1]: z_l = a_{l-1} W_l + b_l, a_l = relu(z_l) for hidden
// layers; the output z_{L-1} has no activation (Q-values).
// mlp_forward_from() restarts the network from a replaced hidden pre-activation z_l: this is
// where an SAE's reconstruction is spliced in.
#pragma once
#include "dense.hpp"
#include "init.hpp"
#include "relu.hpp"

namespace saerl {

template <class T, int... S>
struct Mlp {
  static_assert(sizeof...(S) >= 2, "Mlp needs at least an input and an output size");
  static constexpr int kSizes[] = {S...};
  static constexpr int kLayers = int(sizeof...(S)) - 1;
  static constexpr int kIn = kSizes[0];
  static constexpr int kOut = kSizes[kLayers];
  using Scalar = T;

  static constexpr bool sizes_positive() {
    for (int s : kSizes)
      if (s <= 0) return false;
    return true;
  }
  static_assert(sizes_positive(), "Mlp: every layer size must be positive");

  // Offset of W_l in params; b_l follows W_l. weight_offset(kLayers) is the total count.
  static constexpr int weight_offset(int l) {
    int offset = 0;
    for (int i = 0; i < l; ++i) offset += kSizes[i] * kSizes[i + 1] + kSizes[i + 1];
    return offset;
  }
  static constexpr int kParams = weight_offset(kLayers);
  static constexpr int max_width() {
    int w = 0;
    for (int s : kSizes) w = s > w ? s : w;
    return w;
  }
  static constexpr int kMaxWidth = max_width();
  // Units in layers 1..l (the input excluded): where layer l-1's activations start.
  static constexpr int unit_offset(int l) {
    int u = 0;
    for (int i = 1; i <= l; ++i) u += kSizes[i];
    return u;
  }
  static constexpr int kUnits = unit_offset(kLayers);

  T params[kParams];

  T* weight(int l) { return params + weight_offset(l); }
  const T* weight(int l) const { return params + weight_offset(l); }
  T* bias(int l) { return weight(l) + kSizes[l] * kSizes[l + 1]; }
  const T* bias(int l) const { return weight(l) + kSizes[l] * kSizes[l + 1]; }

  // Kaiming-uniform weights for the ReLU layers, PyTorch's default for the output layer,
  // zero biases for hidden layers.
  void init(Rng& rng) {
    for (int l = 0; l < kLayers; ++l) {
      if (l + 1 < kLayers) {
        kaiming_uniform(weight(l), kSizes[l] * kSizes[l + 1], kSizes[l], rng);
        fill(bias(l), kSizes[l + 1], T(0));
      } else {
        pytorch_linear_init(weight(l), bias(l), kSizes[l], kSizes[l + 1], rng);
      }
    }
  }
  // torch.nn.Linear's default for every layer.
  void init_pytorch(Rng& rng) {
    for (int l = 0; l < kLayers; ++l) pytorch_linear_init(weight(l), bias(l), kSizes[l], kSizes[l + 1], rng);
  }
  void zero() { fill(params, kParams, T(0)); }
  void copy_from(const Mlp& other) { copy(other.params, params, kParams); }
};

// What a forward pass over up to B inputs keeps for the backward pass.
template <class Net, int B>
struct MlpActivations {
  using T = typename Net::Scalar;
  static_assert(B > 0, "MlpActivations: the batch capacity must be positive");
  static constexpr int kBatch = B;

  const T* input = nullptr;  // the caller's x, (batch, kIn): not copied
  int batch = 0;
  T pre_[B * Net::kUnits];   // z_l for every layer, layer after layer, each (batch, S[l+1])
  T post_[B * Net::kUnits];  // a_l = relu(z_l) (unused for the output layer)
  T delta_[2][B * Net::kMaxWidth];  // backward scratch

  // z_l and a_l, each (batch, S[l+1]); l = kLayers - 1 is the output.
  T* pre(int l) { return pre_ + B * Net::unit_offset(l); }
  const T* pre(int l) const { return pre_ + B * Net::unit_offset(l); }
  T* post(int l) { return post_ + B * Net::unit_offset(l); }
  const T* post(int l) const { return post_ + B * Net::unit_offset(l); }
  const T* output() const { return pre(Net::kLayers - 1); }
};

// Runs layers first..L-1. For first = 0, `in` is the input x; otherwise it is the hidden
// pre-activation z_{first-1} (batch, S[first]), which is copied into acts and rectified.
template <class Net, int B>
const typename Net::Scalar* mlp_forward_from(const Net& net, int first, const typename Net::Scalar* in,
                                             int batch, MlpActivations<Net, B>& acts) {
  using T = typename Net::Scalar;
  const int* S = Net::kSizes;
  acts.batch = batch;
  const T* a = in;
  if (first == 0) {
    acts.input = in;
  } else {
    T* z = acts.pre(first - 1);
    if (z != in) copy(in, z, batch * S[first]);
    relu_forward(z, acts.post(first - 1), batch * S[first]);
    a = acts.post(first - 1);
  }
  for (int l = first; l < Net::kLayers; ++l) {
    T* z = acts.pre(l);
    dense_forward(a, net.weight(l), net.bias(l), z, batch, S[l], S[l + 1]);
    if (l + 1 < Net::kLayers) {
      relu_forward(z, acts.post(l), batch * S[l + 1]);
      a = acts.post(l);
    }
  }
  return acts.output();
}

// y = f(x) for a batch of inputs x (batch, kIn); returns the output (batch, kOut) inside acts.
template <class Net, int B>
const typename Net::Scalar* mlp_forward(const Net& net, const typename Net::Scalar* x, int batch,
                                        MlpActivations<Net, B>& acts) {
  return mlp_forward_from(net, 0, x, batch, acts);
}

// Backward from dL/dy (batch, kOut) down to layer `first`. Adds dL/dparams into *grad (skipped
// when grad is null: a frozen network). Writes dL/din into d_in when it is not null: for
// first = 0 that is dL/dx, otherwise dL/dz_{first-1} (the gradient w.r.t. a spliced-in
// hidden pre-activation).
template <class Net, int B>
void mlp_backward_from(const Net& net, MlpActivations<Net, B>& acts, int first,
                       const typename Net::Scalar* dy, Net* grad, typename Net::Scalar* d_in) {
  using T = typename Net::Scalar;
  const int* S = Net::kSizes;
  const int batch = acts.batch;
  const T* dz = dy;
  for (int l = Net::kLayers - 1; l >= first; --l) {
    const T* a = l == 0 ? acts.input : acts.post(l - 1);
    T* da = l > first ? acts.delta_[l & 1] : d_in;  // dL/da_{l-1}
    dense_backward(a, net.weight(l), dz, da, grad ? grad->weight(l) : nullptr,
                   grad ? grad->bias(l) : nullptr, batch, S[l], S[l + 1]);
    if (l > 0 && da) {
      // through the ReLU of layer l-1: dz_{l-1} = da_{l-1} * [z_{l-1} > 0]
      relu_backward(acts.pre(l - 1), da, da, batch * S[l]);
      dz = da;
    }
  }
}

template <class Net, int B>
void mlp_backward(const Net& net, MlpActivations<Net, B>& acts, const typename Net::Scalar* dy,
                  Net* grad, typename Net::Scalar* dx) {
  mlp_backward_from(net, acts, 0, dy, grad, dx);
}

}  // namespace saerl
