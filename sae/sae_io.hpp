// saerl/sae/sae_io.hpp — saving and loading an Sae in saerl's checked binary format.
//
//   saerl::Status s = saerl::save_sae(*sae, "out/sae-topk.bin");
//   s = saerl::load_sae(*sae, "out/sae-topk.bin");   // sae unchanged on any error
//
// The file's shape is (D, M, variant, k): loading an SAE of another width fails with
// bad_shape; the variant and k are read back from the file.
#pragma once
#include "../core/io/serialize.hpp"
#include "sae.hpp"

namespace saerl {

constexpr uint32_t kSaeKind = fourcc("SAE ");

template <class T, int D, int M>
Status save_sae(const Sae<T, D, M>& sae, const char* path) {
  const uint32_t shape[4] = {uint32_t(D), uint32_t(M), uint32_t(sae.variant), uint32_t(sae.k)};
  return save_params(path, kSaeKind, shape, 4, sae.params, uint64_t(sae.kParams));
}

template <class T, int D, int M>
Status load_sae(Sae<T, D, M>& sae, const char* path) {
  Header h;
  Status s = read_header(path, &h);
  if (!s.ok()) return s;
  if (h.shape_count != 4 || h.shape[2] > uint32_t(SaeVariant::jumprelu) || h.shape[3] > uint32_t(M))
    return Status::error(StatusCode::bad_shape, "%s: not an SAE file of this build", path);
  const uint32_t shape[4] = {uint32_t(D), uint32_t(M), h.shape[2], h.shape[3]};
  s = load_params(path, kSaeKind, shape, 4, sae.params, uint64_t(sae.kParams));
  if (!s.ok()) return s;
  sae.variant = SaeVariant(h.shape[2]);
  sae.k = int(h.shape[3]);
  return Status::success();
}

}  // namespace saerl
