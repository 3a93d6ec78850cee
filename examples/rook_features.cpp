// The rook-checkmate study in miniature: a small DQN, a TopK SAE on its hidden layer, and the
// heat map of the feature that best detects one piece on one square. Build and run: make examples
#include <cstdio>
#include <memory>

#include "rook_features.hpp"

int main() {
  auto r = std::make_unique<saerl::RookFeaturesResult>();
  saerl::rook_features(/*seed=*/1, /*dqn_steps=*/5000, /*sae_steps=*/2000, *r);
  std::printf("DQN 75-64-32-24, 5,000 steps: checkmate rate %.3f against the random black\n"
              "  (barely trained: the full run takes 800,000 steps; its hidden layer still encodes the board)\n",
              r->checkmate_rate);
  std::printf("TopK SAE 32 -> %d (k = 3), 2,000 steps, on all 7,040 legal positions: FVU %.3f, L0 %.1f, %d live\n",
              saerl::MiniSae::kFeatures, r->fvu, r->l0, r->live);
  if (r->feature < 0) return std::printf("no feature detects a piece on a square\n"), 1;
  std::printf("\nfeature %d %s\n", r->feature, r->description);
  std::printf("its mean activation with each piece on each square:\n\n");
  const char* names[3] = {"white king", "white rook", "black king"};
  std::printf("  ");
  for (int p = 0; p < 3; ++p) std::printf("  %-34s", names[p]);
  std::printf("\n");
  for (int row = 4; row >= 0; --row) {
    std::printf("  ");
    for (int p = 0; p < 3; ++p) {
      std::printf("  %d", row + 1);
      for (int col = 0; col < 5; ++col) std::printf(" %5.2f", r->heat[p][row * 5 + col]);
      std::printf("   ");
    }
    std::printf("\n");
  }
  std::printf("  ");
  for (int p = 0; p < 3; ++p) std::printf("        a     b     c     d     e   ");
  std::printf("\nthe best single hidden unit (active when z > 0) detects any piece on any square with F1 %.2f at most;\n"
              "this feature: F1 %.2f\n", r->neuron_f1, r->f1);
  return r->f1 > 0.8 && r->f1 > r->neuron_f1 + 0.2 ? 0 : 1;
}
