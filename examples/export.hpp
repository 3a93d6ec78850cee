// saerl/examples/export.hpp — `saerl export`: a run directory's DQN, sparse autoencoders and
// activation dataset as .safetensors or .npy files, for numpy, PyTorch and SAELens.
//
// Reads DIR/dqn.bin and every DIR/sae-<variant>.bin that exists; writes under DIR/export/:
//   dqn/model.safetensors     "0.weight" (H1, 75), "0.bias" (H1), "2.weight" (H2, H1), "2.bias",
//                             "4.weight" (24, H2), "4.bias": the state_dict of
//                             nn.Sequential(Linear, ReLU, Linear, ReLU, Linear); each weight is
//                             out x in, the transpose of Mlp::weight(l)
//   activations/activations.safetensors
//                             every legal position, in index order: "observations" (N, 75),
//                             "activations" (N, H2) the hidden vector z_1 the SAEs read,
//                             "q_values" (N, 24), "positions" (N) int32 RookCheckmate<5>::index
//   sae-<variant>/sae_weights.safetensors
//                             SAELens' names: "W_enc" (H2, M), "b_enc" (M), "W_dec" (M, H2),
//                             "b_dec" (H2), and "threshold" (M) for jumprelu and for batchtopk
//                             (whose inference rule is a JumpReLU with one threshold, as SAELens
//                             saves it)
//   sae-<variant>/q_values_spliced  (N, 24): the DQN's Q-values with this SAE's reconstruction
//                             in place of z_1 (no error term), rows as "positions"
//   sae-<variant>/cfg.json    SAELens' config (architecture, d_in, d_sae, hook_name, ...) and
//                             saerl's variant, width, k or lambda and hook point
//   sae-<variant>/features.safetensors, predicates.json
//                             "codes" (N, M) of every legal position, each feature's label
//                             (best predicate, precision, recall, F1) and density, and the
//                             predicates' names and phrases (examples/export_features.hpp)
// With ExportFormat::npy each tensor is <name>.npy in the same directory instead.
//
// In PyTorch's terms the files compute what saerl computes:
//   z1 = relu(x @ W0.T + b0) @ W2.T + b2;   q = relu(z1) @ W4.T + b4       (module 2's output: z1)
//   pre = (z1 - b_dec) @ W_enc + b_enc;     f = relu(pre)                 relu ("standard")
//                                          f = the k largest pre, if > 0  topk
//                                          f = pre * (pre > threshold)    jumprelu, batchtopk
//
//   saerl::Status s = saerl::load_mlp(net, "out/dqn.bin");
//   if (s.ok()) s = saerl::export_run<SaeT, saerl::RookCheckmate<5>>(net, "out", saerl::ExportFormat::npy, stdout);
#pragma once
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "../core/io/mlp_io.hpp"
#include "../core/io/npy.hpp"
#include "../core/io/safetensors.hpp"
#include "../sae/sae_io.hpp"
#include "../gridworld/rook_solver.hpp"
#include "directory.hpp"
#include "export_features.hpp"
#include "pipeline.hpp"
#include "results.hpp"

namespace saerl {

enum class ExportFormat { npy, safetensors };

inline bool parse_export_format(const char* name, ExportFormat* f) {
  if (std::strcmp(name, "npy") == 0) return *f = ExportFormat::npy, true;
  if (std::strcmp(name, "safetensors") == 0) return *f = ExportFormat::safetensors, true;
  return false;
}

namespace detail {

// Prints "wrote PATH (N bytes)" to log (when not null).
inline void log_written(std::FILE* log, const char* path) {
  if (!log) return;
  long size = -1;
  if (std::FILE* f = std::fopen(path, "rb")) {
    if (std::fseek(f, 0, SEEK_END) == 0) size = std::ftell(f);
    std::fclose(f);
  }
  std::fprintf(log, "wrote %s (%ld bytes)\n", path, size);
}

inline Status save_npy_tensor(const char* path, const SafeTensor& t) {
  if (std::strcmp(t.dtype, "F32") == 0) return save_npy(path, static_cast<const float*>(t.data), t.shape, t.ndim);
  if (std::strcmp(t.dtype, "F64") == 0) return save_npy(path, static_cast<const double*>(t.data), t.shape, t.ndim);
  return save_npy(path, static_cast<const int32_t*>(t.data), t.shape, t.ndim);
}

// Writes one group of tensors into dir: one .safetensors file named `file`, or <name>.npy each.
inline Status write_tensors(const char* dir, const char* file, const SafeTensor* t, int n, ExportFormat format,
                            std::FILE* log) {
  static const char* const kMeta[2] = {"format", "pt"};  // what safetensors.torch writes
  if (format == ExportFormat::safetensors) {
    const std::string path = std::string(dir) + "/" + file;
    Status s = save_safetensors(path.c_str(), t, n, kMeta, 1);
    if (s.ok()) log_written(log, path.c_str());
    return s;
  }
  for (int i = 0; i < n; ++i) {
    const std::string path = std::string(dir) + "/" + t[i].name + ".npy";
    Status s = save_npy_tensor(path.c_str(), t[i]);
    if (!s.ok()) return s;
    log_written(log, path.c_str());
  }
  return Status::success();
}

inline Status write_text(const char* path, const char* text, std::FILE* log) {
  const Chunk chunk = {text, std::strlen(text)};
  Status s = write_atomically(path, &chunk, 1);
  if (s.ok()) log_written(log, path);
  return s;
}

// The DQN as nn.Sequential's state_dict: layer l is module 2l, its weight transposed to out x in.
template <class Net>
Status export_dqn(const Net& net, const char* dir, ExportFormat format, std::FILE* log) {
  using T = typename Net::Scalar;
  constexpr int L = Net::kLayers;
  std::unique_ptr<T[]> transposed[L];
  char names[2 * L][24];
  uint64_t shapes[2 * L][2];
  SafeTensor t[2 * L];
  for (int l = 0; l < L; ++l) {
    const int in = Net::kSizes[l], out = Net::kSizes[l + 1];
    transposed[l] = std::make_unique<T[]>(size_t(in) * out);
    for (int i = 0; i < in; ++i)
      for (int o = 0; o < out; ++o) transposed[l][size_t(o) * in + i] = net.weight(l)[i * out + o];
    std::snprintf(names[2 * l], sizeof names[0], "%d.weight", 2 * l);
    std::snprintf(names[2 * l + 1], sizeof names[0], "%d.bias", 2 * l);
    shapes[2 * l][0] = uint64_t(out);
    shapes[2 * l][1] = uint64_t(in);
    shapes[2 * l + 1][0] = uint64_t(out);
    t[2 * l] = SafeTensor::of(names[2 * l], transposed[l].get(), shapes[2 * l], 2);
    t[2 * l + 1] = SafeTensor::of(names[2 * l + 1], net.bias(l), shapes[2 * l + 1], 1);
  }
  return write_tensors(dir, "model.safetensors", t, 2 * L, format, log);
}

// Every legal position's observation, hidden vector z_1, Q-values and index.
template <class Net, class Game>
Status export_activations(const Net& net, const char* dir, ExportFormat format, std::FILE* log) {
  using T = typename Net::Scalar;
  constexpr int W = HiddenLayer<Net>::kWidth, A = Net::kOut, O = Net::kIn;
  auto data = std::make_unique<ActivationDataset<T, W, Game::kPositions>>();
  collect_all_positions<Net, Game>(net, *data);
  const int n = data->size;
  auto obs = std::make_unique<T[]>(size_t(n) * O);
  auto q = std::make_unique<T[]>(size_t(n) * A);
  auto acts = std::make_unique<MlpActivations<Net, 1>>();
  for (int i = 0; i < n; ++i) {
    Game::observe(Game::from_index(data->source[i]), obs.get() + size_t(i) * O);
    copy(mlp_forward(net, obs.get() + size_t(i) * O, 1, *acts), q.get() + size_t(i) * A, A);
  }
  const uint64_t s_obs[2] = {uint64_t(n), uint64_t(O)}, s_act[2] = {uint64_t(n), uint64_t(W)},
                 s_q[2] = {uint64_t(n), uint64_t(A)}, s_pos[1] = {uint64_t(n)};
  const SafeTensor t[4] = {SafeTensor::of("observations", obs.get(), s_obs, 2),
                           SafeTensor::of("activations", data->row(0), s_act, 2),
                           SafeTensor::of("q_values", q.get(), s_q, 2),
                           SafeTensor::of("positions", data->source, s_pos, 1)};
  return write_tensors(dir, "activations.safetensors", t, 4, format, log);
}

// The DQN's Q-values with the SAE's reconstruction in place of z_1, for every legal position in
// the order of activations/positions: what measure_splice judges, for checking it elsewhere.
template <class Net, class SaeT, class Game>
Status export_spliced_q(const Net& net, SaeT& sae, const char* dir, ExportFormat format, std::FILE* log) {
  constexpr int A = Net::kOut;
  auto policy = std::make_unique<SplicedPolicy<Net, SaeT, Game>>();
  policy->net = &net;
  policy->sae = &sae;
  policy->splice = Splice::sae;
  auto q = std::make_unique<float[]>(size_t(Game::kLegalPositions) * A);
  int n = 0;
  for (int i = 0; i < Game::kPositions; ++i)
    if (Game::is_legal(Game::from_index(i))) policy->q_values(Game::from_index(i), q.get() + size_t(n++) * A);
  const uint64_t shape[2] = {uint64_t(n), uint64_t(A)};
  const SafeTensor t[1] = {SafeTensor::of("q_values_spliced", q.get(), shape, 2)};
  return write_tensors(dir, "q_values_spliced.safetensors", t, 1, format, log);
}

// lambda: the L1 (relu) or L0 (jumprelu) coefficient it was trained with; NaN when unknown.
template <class SaeT>
Status export_sae(const SaeT& sae, double lambda, const char* hidden_module, const char* dir, ExportFormat format,
                  std::FILE* log) {
  using T = typename SaeT::Scalar;
  constexpr int D = SaeT::kIn, M = SaeT::kFeatures;
  const bool jump = sae.variant == SaeVariant::jumprelu || sae.variant == SaeVariant::batchtopk;
  T threshold[M];
  for (int j = 0; j < M; ++j)
    threshold[j] = sae.variant == SaeVariant::jumprelu ? std::exp(sae.log_threshold()[j]) : sae.batch_threshold();
  const uint64_t s_enc[2] = {uint64_t(D), uint64_t(M)}, s_dec[2] = {uint64_t(M), uint64_t(D)}, s_m[1] = {uint64_t(M)},
                 s_d[1] = {uint64_t(D)};
  const SafeTensor t[5] = {SafeTensor::of("W_enc", sae.w_enc(), s_enc, 2), SafeTensor::of("b_enc", sae.b_enc(), s_m, 1),
                           SafeTensor::of("W_dec", sae.w_dec(), s_dec, 2), SafeTensor::of("b_dec", sae.b_dec(), s_d, 1),
                           SafeTensor::of("threshold", threshold, s_m, 1)};
  Status s = write_tensors(dir, "sae_weights.safetensors", t, jump ? 5 : 4, format, log);
  if (!s.ok()) return s;

  const char* variant = sae_variant_name(sae.variant);
  const char* architecture = sae.variant == SaeVariant::relu ? "standard" : sae.variant == SaeVariant::topk ? "topk" : "jumprelu";
  char extra[96] = "";
  if (sae.variant == SaeVariant::topk || sae.variant == SaeVariant::batchtopk)
    std::snprintf(extra, sizeof extra, "  \"k\": %d,\n", sae.k);
  else if (std::isnan(lambda))
    std::snprintf(extra, sizeof extra, "  \"%s_coefficient\": null,\n", sae.variant == SaeVariant::relu ? "l1" : "l0");
  else
    std::snprintf(extra, sizeof extra, "  \"%s_coefficient\": %.9g,\n", sae.variant == SaeVariant::relu ? "l1" : "l0", lambda);
  char cfg[1024], path[1200];
  std::snprintf(cfg, sizeof cfg,
                "{\n  \"architecture\": \"%s\",\n  \"d_in\": %d,\n  \"d_sae\": %d,\n  \"dtype\": \"%s\",\n"
                "  \"device\": \"cpu\",\n  \"apply_b_dec_to_input\": true,\n  \"normalize_activations\": \"none\",\n"
                "  \"hook_name\": \"%s\",\n  \"metadata\": {\"model_name\": \"saerl-dqn\", \"hook_name\": \"%s\"},\n"
                "  \"variant\": \"%s\",\n  \"width\": %d,\n%s"
                "  \"hook_point\": \"the output of module %s of the DQN's nn.Sequential, before its ReLU: the second "
                "hidden layer's pre-activation z_1, %d values\"\n}\n",
                architecture, D, M, sizeof(T) == 4 ? "float32" : "float64", hidden_module, hidden_module, variant, M, extra,
                hidden_module, D);
  std::snprintf(path, sizeof path, "%s/cfg.json", dir);
  return write_text(path, cfg, log);
}

}  // namespace detail

// The L1 or L0 coefficient train-sae recorded in DIR/results.json (sae.<variant>.l1_coefficient
// or .l0_coefficient),
// NaN when it is not there.
inline double trained_lambda(Results& results, SaeVariant v) {
  char key[64];
  std::snprintf(key, sizeof key, "sae.%s.%s_coefficient", sae_variant_name(v), v == SaeVariant::relu ? "l1" : "l0");
  return results.number(key, std::nan(""));
}

// Exports net (the DQN of DIR/dqn.bin), its activation dataset and every DIR/sae-<variant>.bin
// (see the header), printing each file written to log (may be null).
template <class SaeT, class Game, class Net>
Status export_run(const Net& net, const char* dir, ExportFormat format, std::FILE* log) {
  static_assert(SaeT::kIn == HiddenLayer<Net>::kWidth, "export_run: the SAE must read the DQN's hidden width");
  char path[1024], out[1100], sub[1200];
  std::snprintf(out, sizeof out, "%s/export", dir);
  Status s = make_dir(out);
  std::snprintf(sub, sizeof sub, "%s/dqn", out);
  if (s.ok()) s = make_dir(sub);
  if (s.ok()) s = detail::export_dqn(net, sub, format, log);
  std::snprintf(sub, sizeof sub, "%s/activations", out);
  if (s.ok()) s = make_dir(sub);
  if (s.ok()) s = detail::export_activations<Net, Game>(net, sub, format, log);
  if (!s.ok()) return s;

  auto results = std::make_unique<Results>();
  std::snprintf(path, sizeof path, "%s/results.json", dir);
  s = results->load(path);
  if (!s.ok()) return s;
  char module[8];
  std::snprintf(module, sizeof module, "%d", 2 * HiddenLayer<Net>::kLayer);  // nn.Sequential index of z_1's Linear
  auto sae = std::make_unique<SaeT>();
  constexpr int N = Game::kSize, M = SaeT::kFeatures;
  auto solver = std::make_unique<RookSolver<N>>();  // ground truth for the labels: distances to mate
  solver->solve(1.0f);
  auto analysis = std::make_unique<FeatureAnalysis<SaeT, N>>();
  auto features = std::make_unique<FeatureExport<M>>();
  for (int v = 0; v <= int(SaeVariant::jumprelu); ++v) {
    const char* name = sae_variant_name(SaeVariant(v));
    std::snprintf(path, sizeof path, "%s/sae-%s.bin", dir, name);
    if (std::FILE* f = std::fopen(path, "rb")) std::fclose(f);
    else continue;  // this variant was not trained
    s = load_sae(*sae, path);
    if (!s.ok()) return s;
    std::snprintf(sub, sizeof sub, "%s/sae-%s", out, name);
    s = make_dir(sub);
    if (s.ok()) s = detail::export_sae(*sae, trained_lambda(*results, sae->variant), module, sub, format, log);
    if (s.ok()) s = detail::export_spliced_q<Net, SaeT, Game>(net, *sae, sub, format, log);
    if (s.ok()) s = feature_export(net, *sae, solver->dtm, *analysis, *features);
    if (!s.ok()) return s;
    const FeatureExport<M>& f = *features;
    const uint64_t s_codes[2] = {uint64_t(f.rows), uint64_t(M)}, s_m[1] = {uint64_t(M)};
    const SafeTensor t[6] = {SafeTensor::of("codes", f.codes.get(), s_codes, 2),
                             SafeTensor::of("label_predicate", f.predicate, s_m, 1),
                             SafeTensor::of("label_precision", f.precision, s_m, 1),
                             SafeTensor::of("label_recall", f.recall, s_m, 1), SafeTensor::of("label_f1", f.f1, s_m, 1),
                             SafeTensor::of("density", f.density, s_m, 1)};
    s = detail::write_tensors(sub, "features.safetensors", t, 6, format, log);
    const std::string predicates_path = std::string(sub) + "/predicates.json";
    if (s.ok()) s = detail::write_text(predicates_path.c_str(), f.predicates_json.c_str(), log);
    if (!s.ok()) return s;
  }
  return Status::success();
}

}  // namespace saerl
