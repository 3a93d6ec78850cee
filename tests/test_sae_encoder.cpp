#include <doctest/doctest.h>

#include <memory>
#include <vector>

#include "sae/sae_encoder.hpp"

using namespace saerl;

TEST_CASE("sae_encode of encoder_of(sae) gives exactly sae_forward's inference codes, every variant") {
  constexpr int D = 12, M = 40, B = 9;
  using SaeT = Sae<float, D, M>;
  auto sae = std::make_unique<SaeT>();
  auto work = std::make_unique<SaeWorkspace<SaeT, B>>();
  auto enc = std::make_unique<SaeEncoder<float, D, M>>();
  Rng rng(4);
  float x[B * D];
  for (float& v : x) v = float(rng.normal());
  for (int v = 0; v <= int(SaeVariant::jumprelu); ++v) {
    CAPTURE(v);
    sae->init(SaeVariant(v), 5, nullptr, rng, 0.3f);
    for (int j = 0; j < M; ++j) sae->b_enc()[j] = 0.1f * float(rng.normal());
    sae->batch_threshold() = 0.4f;
    sae_forward(*sae, x, B, *work, /*training=*/false);
    encoder_of(*sae, *enc);
    int active = 0;
    for (int b = 0; b < B; ++b) {
      float f[M], scratch[SaeEncoder<float, D, M>::kWork];
      sae_encode(*enc, x + b * D, f, scratch);
      for (int j = 0; j < M; ++j) {
        CHECK(f[j] == work->f[b * M + j]);
        active += f[j] > 0;
      }
    }
    CHECK(active > 0);
    CHECK(active < B * M);
  }
}

TEST_CASE("the int8 encoder fires mostly the same features as the float one") {
  constexpr int D = 16, M = 64, n = 200;
  using SaeT = Sae<float, D, M>;
  auto sae = std::make_unique<SaeT>();
  auto enc = std::make_unique<SaeEncoder<float, D, M>>();
  auto q = std::make_unique<QuantizedSaeEncoder<D, M>>();
  Rng rng(6);
  sae->init(SaeVariant::topk, 6, nullptr, rng);
  encoder_of(*sae, *enc);
  std::vector<float> X(n * D);
  for (float& v : X) v = float(rng.normal());
  quantize_encoder_calibrated(*enc, X.data(), n, *q);
  long same = 0, total = 0;
  for (int r = 0; r < n; ++r) {
    float f[M], fq[M], scratch[M];
    sae_encode(*enc, X.data() + r * D, f, scratch);
    sae_encode(*q, X.data() + r * D, fq, scratch);
    for (int j = 0; j < M; ++j) {
      same += (f[j] > 0) == (fq[j] > 0);
      total += 1;
    }
  }
  CHECK(double(same) / total > 0.97);
}
