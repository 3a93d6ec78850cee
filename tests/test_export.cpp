// Tests of examples/export.hpp and `saerl export`: the exported files parse with the
// independent readers of tests/tensor_files.hpp, hold PyTorch's and SAELens' names and shapes,
// and Q-values and SAE features computed from them with plain loops (as the README's Python
// does) match saerl's own to 1e-5.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "examples/export.hpp"
#include "examples/cli/setup.hpp"
#include "tests/run_program.hpp"
#include "tests/tensor_files.hpp"

namespace {

using Game = saerl::RookCheckmate<5>;
using Net = saerl::Mlp<float, Game::kObs, 12, 10, Game::kActions>;
constexpr int D = 10, M = 20;
using SaeT = saerl::Sae<float, D, M>;

// A random DQN and one random SAE of each variant in dir, with nonzero biases and thresholds
// that some features pass and others do not.
void write_run(const std::string& dir, Net& net, std::unique_ptr<SaeT> (&saes)[4]) {
  saerl::Rng rng(5);
  net.init_pytorch(rng);
  REQUIRE(saerl::save_mlp(net, (dir + "/dqn.bin").c_str()).ok());
  for (int v = 0; v < 4; ++v) {
    saes[v] = std::make_unique<SaeT>();
    SaeT& sae = *saes[v];
    sae.init(saerl::SaeVariant(v), 3, nullptr, rng);
    for (int j = 0; j < M; ++j) sae.b_enc()[j] = 0.2f * rng.normal();
    for (int d = 0; d < D; ++d) sae.b_dec()[d] = 0.2f * rng.normal();
    for (int j = 0; j < M; ++j) sae.log_threshold()[j] = std::log(0.05f + 0.3f * rng.uniform());
    sae.batch_threshold() = 0.15f;
    const std::string path = dir + "/sae-" + saerl::sae_variant_name(sae.variant) + ".bin";
    REQUIRE(saerl::save_sae(sae, path.c_str()).ok());
  }
  saerl::Results results;
  results.set("sae.relu.l1_coefficient", 0.008);
  results.set("sae.jumprelu.l0_coefficient", 0.001);
  REQUIRE(results.save((dir + "/results.json").c_str()).ok());
}

// The tensors of one exported group, from the .safetensors file or from one .npy per name.
std::vector<saerl_test::Tensor> read_group(const std::string& dir, const char* file, const std::vector<std::string>& names,
                                           bool npy) {
  std::vector<saerl_test::Tensor> ts;
  std::string why;
  if (!npy) {
    CHECK_MESSAGE(saerl_test::read_safetensors(dir + "/" + file, &ts, nullptr, &why), why);
    CHECK(ts.size() == names.size());
    return ts;
  }
  for (const std::string& n : names) {
    saerl_test::Tensor t;
    CHECK_MESSAGE(saerl_test::read_npy(dir + "/" + n + ".npy", n, &t, &why), why);
    ts.push_back(t);
  }
  return ts;
}

const saerl_test::Tensor& get(const std::vector<saerl_test::Tensor>& ts, const char* name, const char* dtype,
                              std::vector<uint64_t> shape) {
  static const saerl_test::Tensor missing;
  const saerl_test::Tensor* t = saerl_test::find(ts, name);
  CHECK_MESSAGE(t != nullptr, name);
  if (!t) return missing;
  CHECK_MESSAGE(t->dtype == dtype, name);
  CHECK_MESSAGE(t->shape == shape, name);
  return *t;
}

// y = x W^T + b with W (out, in): nn.Linear, in double.
void linear(const double* x, const saerl_test::Tensor& W, const saerl_test::Tensor& b, double* y) {
  const size_t out = W.shape[0], in = W.shape[1];
  for (size_t o = 0; o < out; ++o) {
    y[o] = b.f32(o);
    for (size_t i = 0; i < in; ++i) y[o] += x[i] * W.f32(o * in + i);
  }
}

// Exports in one format and checks every file against saerl's own computation.
void check_export(bool npy) {
  saerl_test::TempDir tmp;
  const std::string dir = tmp.dir;
  auto net = std::make_unique<Net>();
  std::unique_ptr<SaeT> saes[4];
  write_run(dir, *net, saes);
  const saerl::Status s =
      saerl::export_run<SaeT, Game>(*net, dir.c_str(), npy ? saerl::ExportFormat::npy : saerl::ExportFormat::safetensors, nullptr);
  REQUIRE_MESSAGE(s.ok(), s.message);

  // the DQN: nn.Sequential(Linear(75, 12), ReLU, Linear(12, 10), ReLU, Linear(10, 24))
  const auto W = read_group(dir + "/export/dqn", "model.safetensors",
                            {"0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"}, npy);
  const saerl_test::Tensor &W0 = get(W, "0.weight", "F32", {12, 75}), &b0 = get(W, "0.bias", "F32", {12}),
                           &W2 = get(W, "2.weight", "F32", {10, 12}), &b2 = get(W, "2.bias", "F32", {10}),
                           &W4 = get(W, "4.weight", "F32", {24, 10}), &b4 = get(W, "4.bias", "F32", {24});
  REQUIRE(W4.bytes.size() == 24 * 10 * 4);
  CHECK(W2.f32(3 * 12 + 7) == net->weight(1)[7 * 10 + 3]);  // out x in: the transpose of (in, out)

  // the activation dataset: every legal position
  const int n = Game::count_legal_positions();
  const auto A = read_group(dir + "/export/activations", "activations.safetensors",
                            {"observations", "activations", "q_values", "positions"}, npy);
  const saerl_test::Tensor &obs = get(A, "observations", "F32", {uint64_t(n), 75}),
                           &acts = get(A, "activations", "F32", {uint64_t(n), 10}),
                           &qs = get(A, "q_values", "F32", {uint64_t(n), 24}), &pos = get(A, "positions", "I32", {uint64_t(n)});
  REQUIRE(pos.bytes.size() == size_t(n) * 4);
  REQUIRE(obs.bytes.size() == size_t(n) * 75 * 4);
  REQUIRE(acts.bytes.size() == size_t(n) * 10 * 4);
  REQUIRE(qs.bytes.size() == size_t(n) * 24 * 4);

  // Q-values and z_1 by plain loops from the exported arrays, against saerl's forward pass
  saerl::MlpActivations<Net, 1> fwd;
  double worst_q = 0, worst_h = 0;
  bool observations_match = true;
  std::vector<std::vector<double>> hidden(size_t(n), std::vector<double>(10));
  for (int i = 0; i < n; ++i) {
    float o[75];
    Game::observe(Game::from_index(pos.i32(size_t(i))), o);
    double x[75], h1[12], z1[10], a1[10], q[24];
    for (int k = 0; k < 75; ++k) {
      x[k] = obs.f32(size_t(i) * 75 + size_t(k));
      observations_match = observations_match && x[k] == o[k];
    }
    linear(x, W0, b0, h1);
    for (double& v : h1) v = v > 0 ? v : 0;
    linear(h1, W2, b2, z1);
    for (int k = 0; k < 10; ++k) a1[k] = z1[k] > 0 ? z1[k] : 0;
    linear(a1, W4, b4, q);
    const float* q_saerl = saerl::mlp_forward(*net, o, 1, fwd);
    for (int k = 0; k < 24; ++k) {
      worst_q = std::fmax(worst_q, std::fabs(q[k] - q_saerl[k]));
      worst_q = std::fmax(worst_q, std::fabs(double(qs.f32(size_t(i) * 24 + size_t(k))) - q_saerl[k]));
    }
    for (int k = 0; k < 10; ++k) {
      worst_h = std::fmax(worst_h, std::fabs(z1[k] - fwd.pre(1)[k]));
      worst_h = std::fmax(worst_h, std::fabs(double(acts.f32(size_t(i) * 10 + size_t(k))) - fwd.pre(1)[k]));
      hidden[size_t(i)][size_t(k)] = acts.f32(size_t(i) * 10 + size_t(k));
    }
  }
  CHECK(observations_match);
  CHECK(worst_q < 1e-5);
  CHECK(worst_h < 1e-5);

  // each SAE: SAELens' names and shapes, cfg.json, and its features by plain loops
  for (int v = 0; v < 4; ++v) {
    const SaeT& sae = *saes[v];
    const std::string name = saerl::sae_variant_name(sae.variant);
    CAPTURE(name);
    const bool jump = sae.variant == saerl::SaeVariant::jumprelu || sae.variant == saerl::SaeVariant::batchtopk;
    std::vector<std::string> names = {"W_enc", "b_enc", "W_dec", "b_dec"};
    if (jump) names.push_back("threshold");
    const auto S = read_group(dir + "/export/sae-" + name, "sae_weights.safetensors", names, npy);
    const saerl_test::Tensor &W_enc = get(S, "W_enc", "F32", {D, M}), &b_enc = get(S, "b_enc", "F32", {M}),
                             &W_dec = get(S, "W_dec", "F32", {M, D}), &b_dec = get(S, "b_dec", "F32", {D});
    REQUIRE(W_enc.bytes.size() == D * M * 4);
    REQUIRE(b_enc.bytes.size() == M * 4);
    REQUIRE(b_dec.bytes.size() == D * 4);
    CHECK(W_dec.f32(5 * D + 2) == sae.w_dec()[5 * D + 2]);
    const saerl_test::Tensor* threshold = jump ? &get(S, "threshold", "F32", {M}) : nullptr;
    if (threshold) REQUIRE(threshold->bytes.size() == M * 4);

    const std::vector<unsigned char> text = saerl_test::read_file(dir + "/export/sae-" + name + "/cfg.json");
    saerl_test::Json cfg;
    REQUIRE(saerl_test::parse_json(reinterpret_cast<const char*>(text.data()), text.size(), &cfg));
    const char* architecture = v == 0 ? "standard" : v == 1 ? "topk" : "jumprelu";
    REQUIRE(cfg.get("architecture") != nullptr);
    CHECK(cfg.get("architecture")->str == architecture);
    CHECK(cfg.get("variant")->str == name);
    CHECK(cfg.get("d_in")->num == D);
    CHECK(cfg.get("d_sae")->num == M);
    CHECK(cfg.get("width")->num == M);
    CHECK(cfg.get("hook_name")->str == "2");  // z_1 is the output of nn.Sequential's module 2
    CHECK(cfg.get("apply_b_dec_to_input")->flag);
    CHECK(cfg.get("metadata")->get("hook_name")->str == "2");
    if (v == 0) CHECK(cfg.get("l1_coefficient")->num == doctest::Approx(0.008));
    if (v == 3) CHECK(cfg.get("l0_coefficient")->num == doctest::Approx(0.001));
    if (v == 1 || v == 2) CHECK(cfg.get("k")->num == 3);

    // pre = (x - b_dec) W_enc + b_enc; f by the architecture's rule, against sae_forward's codes.
    // A decision within 1e-4 of its cut (threshold, or the k-th largest) may fall either way
    // under another summation order: those entries are skipped, and counted.
    saerl::SaeWorkspace<SaeT, 1> work;
    SaeT copy = sae;
    double worst_f = 0, worst_spliced = 0;
    int compared = 0, skipped = 0, active = 0;
    // the spliced Q-values: x_hat = f W_dec + b_dec in place of z_1, then relu(x_hat) W_4 + b_4
    const auto Q = read_group(dir + "/export/sae-" + name, "q_values_spliced.safetensors", {"q_values_spliced"}, npy);
    const saerl_test::Tensor& q_spliced = get(Q, "q_values_spliced", "F32", {uint64_t(n), 24});
    REQUIRE(q_spliced.bytes.size() == size_t(n) * 24 * 4);
    for (int i = 0; i < n; ++i) {
      double f_plain[M];
      double pre[M];
      for (int j = 0; j < M; ++j) {
        pre[j] = b_enc.f32(size_t(j));
        for (int d = 0; d < D; ++d) pre[j] += (hidden[size_t(i)][size_t(d)] - b_dec.f32(size_t(d))) * W_enc.f32(size_t(d) * M + size_t(j));
      }
      double cut[M];
      for (int j = 0; j < M; ++j) cut[j] = threshold ? threshold->f32(size_t(j)) : 0;
      if (v == 1) {  // topk: keep the 3 largest, the cut halfway between the 3rd and the 4th
        std::vector<double> sorted(pre, pre + M);
        std::sort(sorted.begin(), sorted.end(), [](double a, double b) { return a > b; });
        for (int j = 0; j < M; ++j) cut[j] = (sorted[2] + sorted[3]) / 2;
      }
      float x[D];
      for (int d = 0; d < D; ++d) x[d] = acts.f32(size_t(i) * D + size_t(d));
      saerl::sae_forward(copy, x, 1, work, /*training=*/false);
      for (int j = 0; j < M; ++j) {
        f_plain[j] = work.f[j];
        if (std::fabs(pre[j] - cut[j]) < 1e-4 || std::fabs(pre[j]) < 1e-4) {
          ++skipped;
          continue;
        }
        const double f = pre[j] > cut[j] && pre[j] > 0 ? pre[j] : 0;
        worst_f = std::fmax(worst_f, std::fabs(f - work.f[j]));
        f_plain[j] = f;
        active += f > 0;
        ++compared;
      }
      double a[D], q[24];
      for (int d = 0; d < int(D); ++d) {
        double x_hat = b_dec.f32(size_t(d));
        for (int j = 0; j < int(M); ++j) x_hat += f_plain[j] * W_dec.f32(size_t(j) * D + size_t(d));
        a[d] = x_hat > 0 ? x_hat : 0;
      }
      linear(a, W4, b4, q);
      for (int k = 0; k < 24; ++k)
        worst_spliced = std::fmax(worst_spliced, std::fabs(q[k] - q_spliced.f32(size_t(i) * 24 + size_t(k))));
    }
    CHECK(worst_spliced < 1e-4);
    CHECK(worst_f < 1e-5);
    CHECK(skipped < compared / 1000);
    CHECK(active > compared / 50);   // the comparison covers active features too,
    CHECK(active < compared * 9 / 10);  // and inactive ones

    // the codes of every position (rows as activations/positions) and each feature's label
    const auto F = read_group(dir + "/export/sae-" + name, "features.safetensors",
                              {"codes", "label_predicate", "label_precision", "label_recall", "label_f1", "density"}, npy);
    const saerl_test::Tensor &codes = get(F, "codes", "F32", {uint64_t(n), M}),
                             &predicate = get(F, "label_predicate", "I32", {M}),
                             &precision = get(F, "label_precision", "F32", {M}), &density = get(F, "density", "F32", {M});
    REQUIRE(codes.bytes.size() == size_t(n) * M * 4);
    REQUIRE(predicate.bytes.size() == M * 4);
    const std::vector<unsigned char> ptext = saerl_test::read_file(dir + "/export/sae-" + name + "/predicates.json");
    saerl_test::Json predicates;
    REQUIRE(saerl_test::parse_json(reinterpret_cast<const char*>(ptext.data()), ptext.size(), &predicates));
    REQUIRE(predicates.get("names") != nullptr);
    const size_t P = predicates.get("names")->items.size();
    CHECK(P == size_t(saerl::RookPredicates<5>::kCount));
    CHECK(predicates.get("phrases")->items.size() == P);
    double worst_code = 0;
    std::vector<long> fired(M, 0);
    for (int i = 0; i < n; i += 7) {
      float x[D];
      for (int d = 0; d < D; ++d) x[d] = acts.f32(size_t(i) * D + size_t(d));
      saerl::sae_forward(copy, x, 1, work, false);
      for (int j = 0; j < M; ++j) worst_code = std::fmax(worst_code, std::fabs(codes.f32(size_t(i) * M + j) - work.f[j]));
    }
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < M; ++j) fired[size_t(j)] += codes.f32(size_t(i) * M + j) > 0;
    CHECK(worst_code < 1e-5);
    for (int j = 0; j < M; ++j) {
      CHECK(density.f32(size_t(j)) == doctest::Approx(double(fired[size_t(j)]) / n).epsilon(1e-6));
      const int32_t p = predicate.i32(size_t(j));
      CHECK(p >= -1);
      CHECK(p < int32_t(P));
      if (fired[size_t(j)] == 0) CHECK(p == -1);
      if (p >= 0) CHECK(precision.f32(size_t(j)) > 0);
    }
  }
}

}  // namespace

TEST_CASE("exported .safetensors files reproduce saerl's Q-values and SAE features to 1e-5") { check_export(false); }

TEST_CASE("exported .npy files reproduce saerl's Q-values and SAE features to 1e-5") { check_export(true); }

TEST_CASE("the export formats are npy and safetensors") {
  saerl::ExportFormat f;
  CHECK(saerl::parse_export_format("npy", &f));
  CHECK(f == saerl::ExportFormat::npy);
  CHECK(saerl::parse_export_format("safetensors", &f));
  CHECK(f == saerl::ExportFormat::safetensors);
  CHECK_FALSE(saerl::parse_export_format("pt", &f));
}

TEST_CASE("saerl export writes the default preset's files, and refuses a bad format or a missing dqn.bin") {
  using Preset = saerl::DefaultSetup<5>;
  const bool have_bin = std::getenv("SAERL_BIN") != nullptr;
  REQUIRE_MESSAGE(have_bin, "SAERL_BIN must name build/saerl (make test and meson test set it)");
  if (!have_bin) return;  // (REQUIRE does not stop a test when exceptions are off)
  saerl_test::TempDir tmp;
  auto net = std::make_unique<Preset::Net>();
  auto sae = std::make_unique<Preset::SaeT>();
  saerl::Rng rng(9);
  net->init(rng);
  sae->init(saerl::SaeVariant::topk, 16, nullptr, rng);
  REQUIRE(saerl::save_mlp(*net, tmp.path("dqn.bin").c_str()).ok());
  REQUIRE(saerl::save_sae(*sae, tmp.path("sae-topk.bin").c_str()).ok());
  const std::string err = tmp.path("stderr.txt");

  saerl_test::Ended e = saerl_test::run_saerl({"export", "--format", "npy", "--out", tmp.dir}, err);
  CHECK_MESSAGE(e.exit_code == 0, e.err);
  saerl_test::Tensor t;
  std::string why;
  CHECK_MESSAGE(saerl_test::read_npy(tmp.path("export/dqn/0.weight.npy"), "0.weight", &t, &why), why);
  CHECK(t.shape == std::vector<uint64_t>{128, 75});
  CHECK_MESSAGE(saerl_test::read_npy(tmp.path("export/sae-topk/W_dec.npy"), "W_dec", &t, &why), why);
  CHECK(t.shape == std::vector<uint64_t>{512, 128});
  CHECK(saerl_test::read_file(tmp.path("export/sae-relu/cfg.json")).empty());  // no relu SAE, no export

  e = saerl_test::run_saerl({"export", "--out", tmp.dir}, err);  // safetensors by default
  CHECK_MESSAGE(e.exit_code == 0, e.err);
  std::vector<saerl_test::Tensor> ts;
  CHECK_MESSAGE(saerl_test::read_safetensors(tmp.path("export/sae-topk/sae_weights.safetensors"), &ts, nullptr, &why), why);
  CHECK(ts.size() == 4);

  e = saerl_test::run_saerl({"export", "--format", "onnx", "--out", tmp.dir}, err);
  CHECK(e.exit_code == 2);
  CHECK(e.err.find("--format") != std::string::npos);
  e = saerl_test::run_saerl({"export", "--out", tmp.path("nowhere")}, err);
  CHECK(e.exit_code == 2);
  CHECK(e.err.find("dqn.bin") != std::string::npos);
}
