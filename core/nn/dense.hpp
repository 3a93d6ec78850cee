// saerl/core/nn/dense.hpp — a fully connected layer as a forward/backward pair of functions.
//
// Shapes: x is (batch, in), W is (in, out), b is (out), y is (batch, out). W is stored
// input-major, so the forward pass is one matmul_nn. (PyTorch's nn.Linear stores the
// transpose, (out, in); the exporters transpose.)
//
//   dense_forward(x, W, b, y, batch, in, out);              // y = x W + b
//   dense_backward(x, W, dy, dx, dW, db, batch, in, out);   // dW += x^T dy, db += sum dy, dx = dy W^T
//
// The caller zeroes dW and db before a backward pass (gradients accumulate, as in PyTorch).
#pragma once
#include "../math/matmul.hpp"

namespace saerl {

// y = x W + b (each y starts from b, then adds its products)
template <class T>
void dense_forward(const T* x, const T* W, const T* b, T* y, int batch, int in, int out) {
  matmul_nn_bias(x, W, b, y, batch, out, in);
}

// dL/dW = x^T dy, dL/db = sum over the batch of dy, dL/dx = dy W^T (skipped when dx is null).
template <class T>
void dense_backward(const T* x, const T* W, const T* dy, T* dx, T* dW, T* db, int batch, int in,
                    int out) {
  if (dW) matmul_tn(x, dy, dW, in, out, batch, /*accumulate=*/true);
  if (db)
    for (int r = 0; r < batch; ++r) add(dy + r * out, db, out);
  if (dx) matmul_nt(dy, W, dx, batch, in, out);
}

}  // namespace saerl
