#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "sae/sae_trainer.hpp"
#include "tests/gradcheck.hpp"

using saerl::Rng;
using saerl::SaeConfig;
using saerl::SaeVariant;
using saerl_test::random_fill;

namespace {

constexpr int kD = 16, kM = 32, kB = 32;
using SmallSae = saerl::Sae<float, kD, kM>;
using SmallTrainer = saerl::SaeTrainer<SmallSae, kB>;

// n rows of D numbers: mean + unit Gaussian noise, with a mean far from zero so that the
// decoder bias (the centring) matters.
std::vector<float> gaussian_rows(int n, int D, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> x(size_t(n) * D);
  random_fill(x.data(), int(x.size()), rng);
  for (int r = 0; r < n; ++r)
    for (int d = 0; d < D; ++d) x[size_t(r) * D + d] += 0.5f * float(d % 3) - 0.3f;
  return x;
}

template <int D>
std::vector<float> column_means(const std::vector<float>& x) {
  const int n = int(x.size()) / D;
  std::vector<double> s(D, 0.0);
  for (int r = 0; r < n; ++r)
    for (int d = 0; d < D; ++d) s[d] += x[size_t(r) * D + d];
  std::vector<float> m(D);
  for (int d = 0; d < D; ++d) m[d] = float(s[d] / n);
  return m;
}

double cosine(const float* a, const float* b, int n) {
  double ab = 0, aa = 0, bb = 0;
  for (int i = 0; i < n; ++i) {
    ab += double(a[i]) * b[i];
    aa += double(a[i]) * a[i];
    bb += double(b[i]) * b[i];
  }
  return aa > 0 && bb > 0 ? ab / std::sqrt(aa * bb) : 0.0;
}

template <class SaeT>
double worst_decoder_norm_error(const SaeT& sae) {
  constexpr int D = SaeT::kIn, M = SaeT::kFeatures;
  double worst = 0;
  for (int j = 0; j < M; ++j) {
    double s = 0;
    for (int d = 0; d < D; ++d) s += double(sae.w_dec()[j * D + d]) * sae.w_dec()[j * D + d];
    worst = std::max(worst, std::fabs(std::sqrt(s) - 1.0));
  }
  return worst;
}

// Trains `steps` batches of B consecutive rows of x (cycling).
template <class SaeT, int B>
void train(saerl::SaeTrainer<SaeT, B>& trainer, SaeT& sae, const std::vector<float>& x, int steps) {
  constexpr int D = SaeT::kIn;
  const int batches = int(x.size()) / (B * D);
  for (int s = 0; s < steps; ++s) trainer.step(sae, x.data() + size_t(s % batches) * B * D, B);
}

}  // namespace

TEST_CASE("decoder rows stay unit-norm after many steps for every variant") {
  const std::vector<float> x = gaussian_rows(8 * kB, kD, 11);
  const std::vector<float> mean = column_means<kD>(x);
  for (SaeVariant v : {SaeVariant::relu, SaeVariant::topk, SaeVariant::batchtopk, SaeVariant::jumprelu}) {
    const std::string name = saerl::sae_variant_name(v);
    CAPTURE(name);
    Rng rng(5);
    auto sae = std::make_unique<SmallSae>();
    sae->init(v, 4, mean.data(), rng);
    SaeConfig c;
    c.variant = v;
    c.k = 4;
    c.lr = 1e-2f;  // large steps, so the rows would drift off the sphere without the constraint
    c.lr_warmup = 10;
    c.penalty_warmup = 50;
    c.dead_after = 2 * kB;
    auto trainer = std::make_unique<SmallTrainer>();
    trainer->init(c);
    const std::vector<float> before(sae->w_dec(), sae->w_dec() + kM * kD);
    train(*trainer, *sae, x, 300);
    CHECK(worst_decoder_norm_error(*sae) < 1e-5);
    // and the rows did move (the check above is not of an untouched decoder)
    double moved = 0;
    for (int i = 0; i < kM * kD; ++i) moved = std::max(moved, double(std::fabs(sae->w_dec()[i] - before[size_t(i)])));
    CHECK(moved > 1e-2);
    CHECK(std::isfinite(trainer->last_loss));
  }
}

TEST_CASE("topk training keeps exactly k codes per input, the k largest pre-activations, in the trainer's work buffer") {
  const std::vector<float> x = gaussian_rows(4 * kB, kD, 12);
  const std::vector<float> mean = column_means<kD>(x);
  constexpr int k = 5;
  Rng rng(6);
  auto sae = std::make_unique<SmallSae>();
  sae->init(SaeVariant::topk, k, mean.data(), rng);
  SaeConfig c;
  c.variant = SaeVariant::topk;
  c.k = k;
  c.lr = 3e-3f;
  c.lr_warmup = 0;
  auto trainer = std::make_unique<SmallTrainer>();
  trainer->init(c);
  for (int s = 0; s < 20; ++s) {
    CAPTURE(s);
    trainer->step(*sae, x.data() + size_t(s % 4) * kB * kD, kB);
    REQUIRE(trainer->work.batch == kB);
    for (int b = 0; b < kB; ++b) {
      const float* f = trainer->work.f + b * kM;
      const float* z = trainer->work.z + b * kM;
      int active = 0;
      float smallest_kept = 1e30f, largest_dropped = -1e30f;
      for (int j = 0; j < kM; ++j) {
        if (f[j] != 0.0f) {
          ++active;
          CHECK(f[j] == z[j]);
          smallest_kept = std::min(smallest_kept, z[j]);
        } else {
          largest_dropped = std::max(largest_dropped, z[j]);
        }
      }
      CHECK(active == k);
      CHECK(smallest_kept > 0.0f);
      CHECK(smallest_kept >= largest_dropped);
    }
  }
}

TEST_CASE("batchtopk training keeps exactly k times batch codes over the whole batch") {
  const std::vector<float> x = gaussian_rows(2 * kB, kD, 13);
  const std::vector<float> mean = column_means<kD>(x);
  constexpr int k = 3;
  Rng rng(7);
  auto sae = std::make_unique<SmallSae>();
  sae->init(SaeVariant::batchtopk, k, mean.data(), rng);
  SaeConfig c;
  c.variant = SaeVariant::batchtopk;
  c.k = k;
  c.lr_warmup = 0;
  auto trainer = std::make_unique<SmallTrainer>();
  trainer->init(c);
  for (int s = 0; s < 6; ++s) {
    trainer->step(*sae, x.data() + size_t(s % 2) * kB * kD, kB);
    int active = 0;
    for (int i = 0; i < kB * kM; ++i) active += trainer->work.f[i] != 0.0f;
    CHECK(active == k * kB);
  }
}

TEST_CASE("dead features count as dead after dead_after inputs without firing, and resampling revives them from the data") {
  constexpr int kRows = 256;
  constexpr int kDeadFeatures = 6;
  const std::vector<float> x = gaussian_rows(kRows, kD, 21);
  const std::vector<float> mean = column_means<kD>(x);
  Rng rng(8);
  auto sae = std::make_unique<SmallSae>();
  sae->init(SaeVariant::relu, 0, mean.data(), rng);
  SaeConfig c;
  c.variant = SaeVariant::relu;
  c.lr = 1e-3f;
  c.lr_warmup = 0;
  c.l1 = 1e-3f;
  c.dead_after = 2 * kB;
  auto trainer = std::make_unique<SmallTrainer>();
  trainer->init(c);

  // two steps with every feature live, so that all have Adam moments; then features 0..5
  // are switched off (they never fire again on this data)
  train(*trainer, *sae, x, 2);
  CHECK(trainer->dead_count() == 0);
  for (int j = 0; j < kDeadFeatures; ++j) sae->b_enc()[j] = -100.0f;
  trainer->step(*sae, x.data(), kB);
  CHECK(trainer->dead_count() == 0);  // 32 inputs without firing, fewer than dead_after
  trainer->step(*sae, x.data() + kB * kD, kB);
  REQUIRE(trainer->inputs_seen == 4 * kB);
  for (int j = 0; j < kDeadFeatures; ++j) CHECK(trainer->is_dead(j));
  const int dead_before = trainer->dead_count();
  REQUIRE(dead_before >= kDeadFeatures);
  {
    // the moments about to be reset are not zero already
    const long dec0 = sae->w_dec() - sae->params, enc0 = sae->w_enc() - sae->params;
    for (int j = 0; j < kDeadFeatures; ++j) {
      REQUIRE(trainer->adam.m[dec0 + j * kD] != 0.0f);
      REQUIRE(trainer->adam.v[enc0 + j] != 0.0f);
      REQUIRE(trainer->adam.v[sae->b_enc() - sae->params + j] != 0.0f);
    }
  }
  std::vector<bool> was_dead(kM);
  for (int j = 0; j < kM; ++j) was_dead[size_t(j)] = trainer->is_dead(j);

  // the live features' encoder norms, before resampling, to check the new columns' scale
  double live_norm = 0;
  int live = 0;
  for (int j = 0; j < kM; ++j) {
    if (was_dead[size_t(j)]) continue;
    double s = 0;
    for (int d = 0; d < kD; ++d) s += double(sae->w_enc()[d * kM + j]) * sae->w_enc()[d * kM + j];
    live_norm += std::sqrt(s);
    ++live;
  }
  REQUIRE(live > 0);
  live_norm /= live;
  const std::vector<float> params_before(sae->params, sae->params + SmallSae::kParams);
  const std::vector<float> m_before(trainer->adam.m, trainer->adam.m + SmallSae::kParams);

  const int revived = trainer->resample_dead(*sae, x.data(), kRows, rng);
  CHECK(revived == dead_before);
  CHECK(trainer->dead_count() == 0);

  const long enc = sae->w_enc() - sae->params, benc = sae->b_enc() - sae->params, dec = sae->w_dec() - sae->params;
  for (int j = 0; j < kM; ++j) {
    CAPTURE(j);
    if (!was_dead[size_t(j)]) {
      // a live feature keeps its parameters and its Adam moments
      for (int d = 0; d < kD; ++d) {
        CHECK(sae->w_dec()[j * kD + d] == params_before[size_t(dec + j * kD + d)]);
        CHECK(sae->w_enc()[d * kM + j] == params_before[size_t(enc + d * kM + j)]);
      }
      CHECK(sae->b_enc()[j] == params_before[size_t(benc + j)]);
      continue;
    }
    // the decoder row is one of the inputs, centred by b_dec, at unit norm
    const float* w = sae->w_dec() + j * kD;
    double best = -1;
    for (int r = 0; r < kRows; ++r) {
      float centred[kD];
      for (int d = 0; d < kD; ++d) centred[d] = x[size_t(r) * kD + d] - sae->b_dec()[d];
      best = std::max(best, cosine(w, centred, kD));
    }
    CHECK(best > 1.0 - 1e-5);
    double norm = 0;
    for (int d = 0; d < kD; ++d) norm += double(w[d]) * w[d];
    CHECK(std::sqrt(norm) == doctest::Approx(1.0).epsilon(1e-5));
    // the encoder column points the same way, at 0.2 x the live features' mean norm
    float column[kD];
    for (int d = 0; d < kD; ++d) column[d] = sae->w_enc()[d * kM + j];
    CHECK(cosine(column, w, kD) > 1.0 - 1e-5);
    double cnorm = 0;
    for (int d = 0; d < kD; ++d) cnorm += double(column[d]) * column[d];
    CHECK(std::sqrt(cnorm) == doctest::Approx(0.2 * live_norm).epsilon(1e-4));
    CHECK(sae->b_enc()[j] == 0.0f);
    // Adam's moments for its encoder column, bias and decoder row are zero
    for (int d = 0; d < kD; ++d) {
      CHECK(trainer->adam.m[enc + d * kM + j] == 0.0f);
      CHECK(trainer->adam.v[enc + d * kM + j] == 0.0f);
      CHECK(trainer->adam.m[dec + j * kD + d] == 0.0f);
      CHECK(trainer->adam.v[dec + j * kD + d] == 0.0f);
    }
    CHECK(trainer->adam.m[benc + j] == 0.0f);
    CHECK(trainer->adam.v[benc + j] == 0.0f);
  }
  // the live features' moments were not reset (they had non-zero gradients)
  bool live_moments_kept = false;
  for (int j = 0; j < kM; ++j)
    if (!was_dead[size_t(j)]) live_moments_kept |= trainer->adam.m[dec + j * kD] == m_before[size_t(dec + j * kD)] &&
                                                   m_before[size_t(dec + j * kD)] != 0.0f;
  CHECK(live_moments_kept);

  // on the data, every revived feature now fires for some input
  auto work = std::make_unique<saerl::SaeWorkspace<SmallSae, kRows>>();
  saerl::sae_forward(*sae, x.data(), kRows, *work, /*training=*/false);
  for (int j = 0; j < kM; ++j) {
    if (!was_dead[size_t(j)]) continue;
    CAPTURE(j);
    int fires = 0;
    for (int b = 0; b < kRows; ++b) fires += work->f[b * kM + j] > 0.0f;
    CHECK(fires > 0);
  }
}

TEST_CASE("resampling draws inputs in proportion to their squared loss: one far outlier takes every dead feature") {
  constexpr int kRows = 128;
  std::vector<float> x = gaussian_rows(kRows, kD, 22);
  const std::vector<float> mean = column_means<kD>(x);
  Rng rng(9);
  auto sae = std::make_unique<SmallSae>();
  sae->init(SaeVariant::relu, 0, mean.data(), rng);
  for (int j = 0; j < kM; j += 2) sae->b_enc()[j] = -1000.0f;  // half the features never fire
  SaeConfig c;
  c.variant = SaeVariant::relu;
  c.lr_warmup = 0;
  c.dead_after = kB;
  auto trainer = std::make_unique<SmallTrainer>();
  trainer->init(c);
  trainer->step(*sae, x.data(), kB);
  REQUIRE(trainer->dead_count() >= kM / 2);
  // row 77: 100 x farther from the mean than the rest, so its squared error dominates
  constexpr int kOutlier = 77;
  for (int d = 0; d < kD; ++d) x[size_t(kOutlier) * kD + d] = mean[size_t(d)] + 100.0f * float((d % 2) * 2 - 1);
  const int revived = trainer->resample_dead(*sae, x.data(), kRows, rng);
  CHECK(revived >= kM / 2);
  float centred[kD];
  for (int d = 0; d < kD; ++d) centred[d] = x[size_t(kOutlier) * kD + d] - sae->b_dec()[d];
  for (int j = 0; j < kM; j += 2) CHECK(cosine(sae->w_dec() + j * kD, centred, kD) > 1.0 - 1e-5);
}

TEST_CASE("the AuxK loss moves dead topk features, which the main topk loss leaves untouched") {
  constexpr int kDead = 8;
  constexpr float kDeadZ = 0.05f;  // a dead feature's pre-activation on every input
  const std::vector<float> x = gaussian_rows(kB, kD, 31);
  const std::vector<float> mean = column_means<kD>(x);
  Rng rng(10);
  auto start = std::make_unique<SmallSae>();
  start->init(SaeVariant::topk, 4, mean.data(), rng);
  // features 0..7: zero encoder column and b_enc = 0.05, so z = 0.05 > 0 everywhere; the
  // others: b_enc = 10, so their z (about 10 +- a few) always wins the top-k.
  for (int j = 0; j < kM; ++j) {
    const bool dead = j < kDead;
    if (dead)
      for (int d = 0; d < kD; ++d) start->w_enc()[d * kM + j] = 0.0f;
    start->b_enc()[j] = dead ? kDeadZ : 10.0f;
  }

  SaeConfig c;
  c.variant = SaeVariant::topk;
  c.k = 4;
  c.lr = 1e-3f;
  c.lr_warmup = 0;
  c.dead_after = kB;  // dead after one batch without firing
  c.aux_k = 64;

  auto with_aux = std::make_unique<SmallSae>(*start);
  auto without_aux = std::make_unique<SmallSae>(*start);
  auto trainer_aux = std::make_unique<SmallTrainer>();
  auto trainer_plain = std::make_unique<SmallTrainer>();
  c.aux_coeff = 1.0f / 32;
  trainer_aux->init(c);
  c.aux_coeff = 0.0f;
  trainer_plain->init(c);
  Rng rng_a(1), rng_b(1);
  const float loss_aux = trainer_aux->step(*with_aux, x.data(), kB);
  const float loss_plain = trainer_plain->step(*without_aux, x.data(), kB);
  for (int j = 0; j < kDead; ++j) {
    REQUIRE(trainer_aux->is_dead(j));
    REQUIRE(trainer_plain->is_dead(j));
  }
  REQUIRE(trainer_plain->dead_count() == kDead);

  // the AuxK loss, computed here: e = x - x_hat, e_hat = 0.05 * sum of the dead rows,
  // (1/32) ||e - e_hat||^2 / ||e - mean_b(e)||^2 times ||x - mean_b(x)||^2 / (B D)
  double aux = 0, spread_e = 0, spread_x = 0;
  for (int d = 0; d < kD; ++d) {
    double mean_e = 0, mean_x = 0;
    for (int b = 0; b < kB; ++b) {
      mean_x += double(x[size_t(b) * kD + d]) / kB;
      mean_e += (double(x[size_t(b) * kD + d]) - trainer_plain->work.x_hat[b * kD + d]) / kB;
    }
    for (int b = 0; b < kB; ++b) {
      double e_hat = 0;
      for (int j = 0; j < kDead; ++j) e_hat += double(kDeadZ) * start->w_dec()[j * kD + d];
      const double e = double(x[size_t(b) * kD + d]) - trainer_plain->work.x_hat[b * kD + d];
      aux += (e_hat - e) * (e_hat - e);
      spread_e += (e - mean_e) * (e - mean_e);
      spread_x += (double(x[size_t(b) * kD + d]) - mean_x) * (double(x[size_t(b) * kD + d]) - mean_x);
    }
  }
  aux *= (1.0 / 32) * (spread_x / (kB * kD)) / spread_e;
  CHECK(double(loss_aux) - double(loss_plain) == doctest::Approx(aux).epsilon(1e-3));

  for (int j = 0; j < kDead; ++j) {
    CAPTURE(j);
    double dec_aux = 0, enc_aux = 0, dec_plain = 0, enc_plain = 0;
    for (int d = 0; d < kD; ++d) {
      dec_aux = std::max(dec_aux, double(std::fabs(with_aux->w_dec()[j * kD + d] - start->w_dec()[j * kD + d])));
      enc_aux = std::max(enc_aux, double(std::fabs(with_aux->w_enc()[d * kM + j] - start->w_enc()[d * kM + j])));
      dec_plain = std::max(dec_plain, double(std::fabs(without_aux->w_dec()[j * kD + d] - start->w_dec()[j * kD + d])));
      enc_plain = std::max(enc_plain, double(std::fabs(without_aux->w_enc()[d * kM + j] - start->w_enc()[d * kM + j])));
    }
    // Adam's first step moves every parameter with a non-zero gradient by about lr
    CHECK(dec_aux > 1e-4);
    CHECK(enc_aux > 1e-4);
    CHECK(with_aux->b_enc()[j] != kDeadZ);
    CHECK(enc_plain == 0.0);
    CHECK(dec_plain < 1e-6);  // only the renormalisation's rounding
    CHECK(without_aux->b_enc()[j] == kDeadZ);
  }
}

TEST_CASE("the learning rate rises linearly over lr_warmup steps and falls linearly to 0 over the last decay_fraction") {
  const std::vector<float> x = gaussian_rows(kB, kD, 41);
  Rng rng(11);
  auto sae = std::make_unique<SmallSae>();
  sae->init(SaeVariant::relu, 0, nullptr, rng);
  SaeConfig c;
  c.variant = SaeVariant::relu;
  c.lr = 2e-3f;
  c.lr_warmup = 10;
  c.total_steps = 100;
  c.decay_fraction = 0.25f;  // decay over steps 75..100
  auto trainer = std::make_unique<SmallTrainer>();
  trainer->init(c);
  for (int s = 1; s <= 100; ++s) {
    CAPTURE(s);
    trainer->step(*sae, x.data(), kB);
    const double warm = s < 10 ? s / 10.0 : 1.0;
    const double decay = s <= 75 ? 1.0 : (100.0 - s) / 25.0;
    CHECK(double(trainer->adam.lr) == doctest::Approx(2e-3 * warm * decay).epsilon(1e-5));
  }
  CHECK(trainer->adam.lr == 0.0f);
  CHECK(trainer->steps == 100);

  // without total_steps, no decay: the rate stays at lr after the warm-up
  c.total_steps = 0;
  trainer->init(c);
  for (int s = 1; s <= 120; ++s) trainer->step(*sae, x.data(), kB);
  CHECK(trainer->adam.lr == doctest::Approx(2e-3));
}

TEST_CASE("an extra loss term adds its value to the returned loss and its gradient to dL/dx_hat") {
  const std::vector<float> x = gaussian_rows(kB, kD, 51);
  const std::vector<float> mean = column_means<kD>(x);
  Rng rng(12);
  auto start = std::make_unique<SmallSae>();
  start->init(SaeVariant::relu, 0, mean.data(), rng);
  SaeConfig c;
  c.variant = SaeVariant::relu;
  c.lr_warmup = 0;
  auto a = std::make_unique<SmallSae>(*start);
  auto b = std::make_unique<SmallSae>(*start);
  auto ta = std::make_unique<SmallTrainer>();
  auto tb = std::make_unique<SmallTrainer>();
  ta->init(c);
  tb->init(c);
  const float plain = ta->step(*a, x.data(), kB);

  constexpr float kExtra = 0.375f, kGrad = 0.01f;
  int seen_batch = -1;
  bool saw_x_hat = false;
  const float with_extra = tb->step(*b, x.data(), kB, [&](const float* x_hat, int n, float* d_x_hat) {
    seen_batch = n;
    saw_x_hat = x_hat == tb->work.x_hat;
    for (int i = 0; i < n * kD; ++i) d_x_hat[i] += kGrad;
    return kExtra;
  });
  CHECK(seen_batch == kB);
  CHECK(saw_x_hat);
  CHECK(double(with_extra) - double(plain) == doctest::Approx(kExtra).epsilon(1e-5));
  CHECK(std::memcmp(a->params, b->params, sizeof a->params) != 0);

  // dL/dW_dec gains f^T (kGrad everywhere), then each row's part along the row is removed:
  //   delta_j = kGrad (sum_b f_bj) (1 - (1 . w_j) w_j)
  double worst = 0, largest = 0;
  for (int j = 0; j < kM; ++j) {
    double fsum = 0, ones_dot_w = 0;
    for (int bi = 0; bi < kB; ++bi) fsum += ta->work.f[bi * kM + j];
    for (int d = 0; d < kD; ++d) ones_dot_w += start->w_dec()[j * kD + d];
    for (int d = 0; d < kD; ++d) {
      const double expected = kGrad * fsum * (1.0 - ones_dot_w * start->w_dec()[j * kD + d]);
      const double got = double(tb->grad.w_dec()[j * kD + d]) - ta->grad.w_dec()[j * kD + d];
      worst = std::max(worst, std::fabs(got - expected));
      largest = std::max(largest, std::fabs(expected));
    }
  }
  CHECK(largest > 1e-3);
  CHECK(worst < 1e-4 * largest + 1e-6);
}

TEST_CASE("two trainings from the same seed give bit-identical parameters and optimizer state") {
  const std::vector<float> x = gaussian_rows(4 * kB, kD, 61);
  const std::vector<float> mean = column_means<kD>(x);
  for (SaeVariant v : {SaeVariant::relu, SaeVariant::topk, SaeVariant::batchtopk, SaeVariant::jumprelu}) {
    const std::string name = saerl::sae_variant_name(v);
    CAPTURE(name);
    std::unique_ptr<SmallSae> sae[2];
    std::unique_ptr<SmallTrainer> trainer[2];
    for (int run = 0; run < 2; ++run) {
      Rng rng(2024);
      sae[run] = std::make_unique<SmallSae>();
      sae[run]->init(v, 3, mean.data(), rng);
      SaeConfig c;
      c.variant = v;
      c.k = 3;
      c.lr = 5e-3f;
      c.lr_warmup = 5;
      c.penalty_warmup = 20;
      c.dead_after = 2 * kB;
      trainer[run] = std::make_unique<SmallTrainer>();
      trainer[run]->init(c);
      train(*trainer[run], *sae[run], x, 40);
      trainer[run]->resample_dead(*sae[run], x.data(), 4 * kB, rng);
      train(*trainer[run], *sae[run], x, 20);
    }
    CHECK(std::memcmp(sae[0]->params, sae[1]->params, sizeof sae[0]->params) == 0);
    CHECK(std::memcmp(trainer[0]->adam.m, trainer[1]->adam.m, sizeof trainer[0]->adam.m) == 0);
    CHECK(std::memcmp(trainer[0]->adam.v, trainer[1]->adam.v, sizeof trainer[0]->adam.v) == 0);
    CHECK(trainer[0]->last_loss == trainer[1]->last_loss);
  }
}

TEST_CASE("a topk SAE recovers the sparse directions that generated its data") {
  constexpr int D = 16, M = 48, B = 64, kTrue = 24, kRows = 4096;
  using RecSae = saerl::Sae<float, D, M>;
  using RecTrainer = saerl::SaeTrainer<RecSae, B>;
  Rng data_rng(77);
  // 24 random unit directions in 16 dimensions
  std::vector<float> dirs(size_t(kTrue) * D);
  random_fill(dirs.data(), int(dirs.size()), data_rng);
  for (int t = 0; t < kTrue; ++t) {
    double s = 0;
    for (int d = 0; d < D; ++d) s += double(dirs[size_t(t) * D + d]) * dirs[size_t(t) * D + d];
    for (int d = 0; d < D; ++d) dirs[size_t(t) * D + d] = float(dirs[size_t(t) * D + d] / std::sqrt(s));
  }
  // each input: 2 or 3 distinct directions with coefficients in [0.5, 1.5). (Tuned over 20
  // data and init seeds: with b_dec at the data mean and 1500 steps, every seed recovers
  // every direction with cosine > 0.98.)
  std::vector<float> x(size_t(kRows) * D, 0.0f);
  for (int r = 0; r < kRows; ++r) {
    const int count = 2 + int(data_rng.below(2));
    int chosen[3] = {-1, -1, -1};
    for (int i = 0; i < count; ++i) {
      int t;
      do t = int(data_rng.below(kTrue));
      while (std::find(chosen, chosen + i, t) != chosen + i);
      chosen[i] = t;
      const float a = data_rng.uniform(0.5f, 1.5f);
      for (int d = 0; d < D; ++d) x[size_t(r) * D + d] += a * dirs[size_t(t) * D + d];
    }
  }

  const std::vector<float> mean = column_means<D>(x);
  Rng rng(78);
  auto sae = std::make_unique<RecSae>();
  sae->init(SaeVariant::topk, 3, mean.data(), rng);
  SaeConfig c;
  c.variant = SaeVariant::topk;
  c.k = 3;
  c.lr = 1e-2f;
  c.lr_warmup = 50;
  c.total_steps = 1500;
  c.dead_after = 4 * B;
  c.aux_k = 16;
  auto trainer = std::make_unique<RecTrainer>();
  trainer->init(c);
  train(*trainer, *sae, x, int(c.total_steps));

  int recovered = 0;
  double worst = 1;
  for (int t = 0; t < kTrue; ++t) {
    double best = -1;
    for (int j = 0; j < M; ++j) best = std::max(best, cosine(sae->w_dec() + j * D, dirs.data() + size_t(t) * D, D));
    CAPTURE(t);
    CHECK(best > 0.9);
    recovered += best > 0.9;
    worst = std::min(worst, best);
  }
  CAPTURE(worst);
  CHECK(recovered == kTrue);
  CHECK(trainer->last_mse < 0.05f);
}

TEST_CASE("a step given more than B inputs trains on the first B, as the forward pass does") {
  constexpr int kExtraRows = 8;
  const std::vector<float> x = gaussian_rows(kB + kExtraRows, kD, 71);
  const std::vector<float> mean = column_means<kD>(x);
  for (SaeVariant v : {SaeVariant::relu, SaeVariant::topk}) {
    const std::string name = saerl::sae_variant_name(v);
    CAPTURE(name);
    Rng rng(13);
    auto start = std::make_unique<SmallSae>();
    start->init(v, 4, mean.data(), rng);
    SaeConfig c;
    c.variant = v;
    c.k = 4;
    c.lr_warmup = 0;
    c.dead_after = kB;
    auto a = std::make_unique<SmallSae>(*start);
    auto b = std::make_unique<SmallSae>(*start);
    auto ta = std::make_unique<SmallTrainer>();
    auto tb = std::make_unique<SmallTrainer>();
    ta->init(c);
    tb->init(c);
    const float exact = ta->step(*a, x.data(), kB);
    const float cut = tb->step(*b, x.data(), kB + kExtraRows);
    CHECK(cut == exact);
    CHECK(tb->inputs_seen == kB);
    CHECK(std::memcmp(a->params, b->params, sizeof a->params) == 0);
  }
}

TEST_CASE("TopK training through the sparse kernels follows the dense kernels, AuxK included") {
  using SaeT = saerl::Sae<float, 32, 128>;
  constexpr int B = 32, D = SaeT::kIn;
  for (saerl::SaeVariant v : {saerl::SaeVariant::topk, saerl::SaeVariant::batchtopk}) {
    CAPTURE(saerl::sae_variant_name(v));
    std::vector<float> x(B * D);
    Rng data(41);
    for (float& value : x) value = data.normal();
    std::unique_ptr<SaeT> sae[2];
    for (int sparse = 0; sparse < 2; ++sparse) {
      Rng rng(43);
      sae[sparse] = std::make_unique<SaeT>();
      sae[sparse]->init(v, 8, nullptr, rng);
      auto trainer = std::make_unique<saerl::SaeTrainer<SaeT, B>>();
      saerl::SaeConfig c;
      c.variant = v;
      c.k = 8;
      c.lr_warmup = 0;
      c.dead_after = 2 * B;  // features that have not fired in two steps feed AuxK
      c.sparse_kernels = sparse == 1;
      trainer->init(c);
      for (int step = 0; step < 6; ++step) trainer->step(*sae[sparse], x.data(), B);
      if (sparse) CHECK(trainer->work.listed);
      CHECK(trainer->dead_count() > 0);
    }
    double worst = 0;
    for (int i = 0; i < SaeT::kParams; ++i)
      worst = std::max(worst, std::fabs(double(sae[0]->params[i]) - double(sae[1]->params[i])));
    CHECK(worst < 1e-4);
  }
}
