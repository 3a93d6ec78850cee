// saerl/core/io/mlp_io.hpp — saving and loading an Mlp in saerl's checked binary format.
//
//   saerl::Status s = saerl::save_mlp(net, "out/dqn.bin");   // atomic: temp file + rename
//   s = saerl::load_mlp(net, "out/dqn.bin");                  // net unchanged on any error
//
// The file's shape is the layer sizes (e.g. 75 x 128 x 128 x 24), so loading a file made for
// another architecture fails with bad_shape and says both shapes.
#pragma once
#include "../nn/mlp.hpp"
#include "serialize.hpp"

namespace saerl {

constexpr uint32_t kMlpKind = fourcc("MLP ");

template <class T, int... S>
Status save_mlp(const Mlp<T, S...>& net, const char* path) {
  static_assert(sizeof...(S) <= kMaxShapeEntries, "save_mlp: too many layers for the file format");
  const uint32_t shape[] = {uint32_t(S)...};
  return save_params(path, kMlpKind, shape, int(sizeof...(S)), net.params, uint64_t(net.kParams));
}

template <class T, int... S>
Status load_mlp(Mlp<T, S...>& net, const char* path) {
  const uint32_t shape[] = {uint32_t(S)...};
  return load_params(path, kMlpKind, shape, int(sizeof...(S)), net.params, uint64_t(net.kParams));
}

}  // namespace saerl
