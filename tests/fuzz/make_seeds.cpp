// Writes the seed corpus of the fuzz targets that read binary files (make fuzz runs it): one
// valid file of each kind, from the objects of fuzz_fixtures.hpp. Usage: make_seeds DIR
#include <cstdio>
#include <string>

#include "core/io/mlp_io.hpp"
#include "sae/activation_dataset.hpp"
#include "sae/sae_io.hpp"
#include "tests/fuzz/fuzz_fixtures.hpp"

namespace {
int failures = 0;
void check(const saerl::Status& s) {
  if (!s.ok()) std::fprintf(stderr, "make_seeds: %s\n", s.message), ++failures;
}
template <class Run>
void save_run(Run& run, uint32_t kind, const std::string& path) {
  saerl::CheckpointWriter w;
  saerl::Status s = w.write(path.c_str(), kind, [&](auto& ar) { run.fields(ar); });
  check(s.ok() ? w.commit() : s);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return std::fprintf(stderr, "usage: make_seeds DIR\n"), 2;
  const std::string dir = argv[1];
  saerl::Rng rng(1);
  static fuzz::Net net;
  net.init(rng);
  check(saerl::save_mlp(net, (dir + "/mlp/net.bin").c_str()));
  static fuzz::SaeT sae;
  sae.init(saerl::SaeVariant::topk, 3, nullptr, rng);
  check(saerl::save_sae(sae, (dir + "/sae/topk.bin").c_str()));
  sae.variant = saerl::SaeVariant::jumprelu;
  check(saerl::save_sae(sae, (dir + "/sae/jumprelu.bin").c_str()));
  static saerl::ActivationDataset<float, 3, 4> acts;
  const float row[3] = {0.5f, -1, 2};
  acts.push(row, 7), acts.push(row, 8);
  check(acts.save_npy((dir + "/npy/acts.npy").c_str()));
  check(acts.save_sources_npy((dir + "/npy/sources.npy").c_str()));
  static fuzz::DqnRun dqn;
  for (int t = 0; t < 30; ++t) dqn.runner.step(*dqn.agent, dqn.env, dqn.rng);
  save_run(dqn, saerl::kDqnRunKind, dir + "/dqn_checkpoint/run.ckpt");
  static fuzz::SaeRun s;
  const float x[8] = {1, 0, 2, 0.5f, -1, 3, 0, 1};
  for (int t = 0; t < 5; ++t) s.trainer->step(*s.sae, x, 2);
  s.p.t = 5;
  save_run(s, saerl::kSaeRunKind, dir + "/sae_checkpoint/run.ckpt");
  return failures ? 1 : 0;
}
