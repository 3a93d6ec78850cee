// saerl export-c: the policy and one SAE's encoder, float and int8, as a C++ header
// DIR/saerl_model.hpp for firmware (examples/mcu/), with int8's agreement with float measured.
#include <memory>
#include <string>
#include <vector>

#include "../../core/io/mlp_io.hpp"
#include "../../sae/sae_io.hpp"
#include "../export_c.hpp"
#include "../quantized_policy.hpp"
#include "../report.hpp"
#include "commands.hpp"

namespace saerl {
namespace {

template <class S>
int export_c(const Options& o) {
  if constexpr (S::kBoard != 5) {
    return fail("export-c: the firmware plays 5x5 (--board %d)", S::kBoard);
  } else {
    using Net = typename S::Net;
    using SaeT = typename S::SaeT;
    using Game = typename S::Game;
    constexpr int D = SaeT::kIn, M = SaeT::kFeatures;
    SaeVariant variant = SaeVariant::topk;
    if (o.variant && !parse_sae_variant(o.variant, &variant))
      return fail("--variant: unknown variant '%s' (relu | topk | batchtopk | jumprelu)", o.variant);
    auto net = std::make_unique<Net>();
    Status s = load_mlp(*net, in_dir(o.out, "dqn.bin").c_str());
    auto sae = std::make_unique<SaeT>();
    if (s.ok()) s = load_sae(*sae, in_dir(o.out, "sae-%s.bin", sae_variant_name(variant)).c_str());
    if (!s.ok()) return fail(s);

    auto enc = std::make_unique<SaeEncoder<float, D, M>>();
    auto qenc = std::make_unique<QuantizedSaeEncoder<D, M>>();
    auto qnet = std::make_unique<QuantizedMlpOf<Net>>();
    encoder_of(*sae, *enc);
    std::vector<float> observations, hidden;  // every legal position: calibrates the int8 rounding
    const int positions = rook_calibration<Game>(*net, observations, hidden);
    quantize_mlp_calibrated(*net, observations.data(), positions, *qnet);
    const int gained = tune_output_rounding(*net, observations.data(), positions, *qnet);
    std::printf("int8: tuning the output layer's rounding gained %d agreements\n", gained);
    quantize_encoder_calibrated(*enc, hidden.data(), positions, *qenc);

    auto solver = std::make_unique<RookSolver<5>>();
    solver->solve(1.0f);
    auto analysis = std::make_unique<FeatureAnalysis<SaeT>>();
    s = analyse_rook_features(*net, *sae, solver->dtm, *analysis);
    if (!s.ok()) return fail(s);
    static char lines[M][160];
    static const char* labels[M];
    for (int j = 0; j < M; ++j) {
      describe_feature(analysis->report, j, predicate_phrase, lines[j], sizeof lines[j]);
      labels[j] = lines[j];
    }

    const Int8Agreement agree = int8_agreement<Game>(*net, *enc, *qnet, *qenc);
    auto policy = std::make_unique<QuantizedPolicy<Game, QuantizedMlpOf<Net>>>();
    policy->net = qnet.get();
    Rng rng(o.seed);
    const RookEvaluation e = evaluate_rook(*policy, solver.get(), int(o.games), rng);
    const double float_bytes = sizeof(Net) + sizeof(*enc), int8_bytes = sizeof(*qnet) + sizeof(*qenc);
    // the weight matrices alone (int8 with their float scales, against float)
    const double float_matrices = 4.0 * (QuantizedMlpOf<Net>::kWeights + D * M);
    const double int8_matrices = QuantizedMlpOf<Net>::kWeights + D * M + 4.0 * (Net::kUnits + M);
    std::printf("int8 over %d legal positions: action agreement %.4f, same active features %.4f\n"
                "  action agreement where float's top two Q-values differ by >= 0.01: %.4f (%d positions)\n"
                "int8 policy over %d games: checkmate %.4f\n"
                "parameters: float %.0f bytes, int8 %.0f bytes (%.2fx smaller); weight matrices %.2fx smaller\n",
                agree.positions, agree.action_agreement, agree.feature_agreement, agree.decisive_agreement,
                agree.decisive_positions, e.games, e.checkmate_rate, float_bytes, int8_bytes,
                float_bytes / int8_bytes, float_matrices / int8_matrices);

    std::string text;
    c_model_header(*net, *enc, *qnet, *qenc, labels, HiddenLayer<Net>::kLayer, S::kName, text);
    const std::string path = in_dir(o.out, "saerl_model.hpp");
    const detail::Chunk chunk{text.data(), text.size()};
    s = detail::write_atomically(path.c_str(), &chunk, 1);
    if (s.ok()) s = update_results(o.out, [&](Results& r) {
      r.set("int8.action_agreement", agree.action_agreement);
      r.set("int8.feature_agreement", agree.feature_agreement);
      r.set("int8.decisive_action_agreement", agree.decisive_agreement);
      r.set("int8.checkmate_rate", e.checkmate_rate);
      r.set("int8.float_bytes", float_bytes);
      r.set("int8.int8_bytes", int8_bytes);
    });
    if (!s.ok()) return fail(s);
    std::printf("wrote %s (%zu bytes)\n", path.c_str(), text.size());
    return 0;
  }
}

}  // namespace

int cmd_export_c(const Options& o) {
  return with_setup(o, true, [&](auto setup) { return export_c<decltype(setup)>(o); });
}

}  // namespace saerl
