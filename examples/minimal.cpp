// The study in one page: a DQN learns the 5x5 rook checkmate from rewards alone, a TopK SAE
// learns its second hidden layer, one JSON line says how well. `make minimal && build/minimal`
#include <cstdio>
#include <memory>

#include "../dqn/recipes.hpp"
#include "../gridworld/rook_exact.hpp"
#include "../sae/activation_dataset.hpp"
#include "../sae/metrics.hpp"
#include "../sae/train.hpp"
using namespace saerl;
using Game = RookCheckmate<5>;
using Net = Mlp<float, Game::kObs, 128, 128, Game::kActions>;
using Agent = DqnAgent<Game, Net, 64, 50000>;
using SaeT = Sae<float, 128, 512>;
int main() {
  // 1. the DQN, with the recipe measured to master the game
  Rng rng(1);
  auto agent = std::make_unique<Agent>();
  DqnRunner<Agent, Game> runner;
  Game env;
  const DqnTrainConfig recipe = rook_dqn_recipe();
  start_dqn_training(recipe, *agent, runner, env, rng);
  DqnCallbacks quiet;
  SaeCallbacks quiet_sae;
  if (!train_dqn(recipe, *agent, runner, env, rng, quiet).ok()) return 1;
  // 2. its exact quality: every legal start against the random black, relative to the best play
  auto exact = std::make_unique<RookExact<5>>();
  exact->init(Game::Opponent::random);
  const ExactComparison quality = exact->evaluate([&](Game::Position p) { return agent->greedy(p); });
  // 3. the layer the SAE reads: z_1, the second hidden layer before its ReLU, at every legal start
  auto data = std::make_unique<ActivationDataset<float, 128, Game::kLegalPositions>>();
  MlpActivations<Net, 1> acts;
  for (int l = 0; l < exact->legal_count; ++l) {
    float obs[Game::kObs];
    Game::observe(Game::from_index(exact->legal[l]), obs);
    mlp_forward(agent->online, obs, 1, acts);
    data->push(acts.pre(1), exact->legal[l]);
  }
  data->shuffle_split(rng, 0.2);
  // 4. a TopK SAE, 4x wider, k = 16, trained on 80% and measured on the 20% held out
  SaeConfig config;
  config.variant = SaeVariant::topk, config.k = 16, config.total_steps = 6000;
  float mean[128];
  data->mean(0, data->train_size, mean);
  auto sae = std::make_unique<SaeT>();
  sae->init(SaeVariant::topk, config.k, mean, rng);
  auto trainer = std::make_unique<SaeTrainer<SaeT, 256>>();
  trainer->init(config);
  auto batch = std::make_unique<float[]>(256 * 128);
  SaeRun run;
  run.steps = config.total_steps;
  if (!train_sae(run, *sae, *trainer, data->row(0), data->train_size, rng, batch.get(), no_extra_loss, quiet_sae).ok())
    return 1;
  auto work = std::make_unique<SaeWorkspace<SaeT, 256>>();
  const SaeMetrics m = evaluate_sae_rows(*sae, data->row(data->train_size), data->size - data->train_size, *work);
  std::printf("{\"return_ratio\": %.4f, \"mate_prob\": %.5f, \"fvu\": %.4f, \"l0\": %.2f}\n", quality.return_ratio,
              quality.policy.mate_prob, m.fvu, m.l0);
  return 0;
}
