// An MLP learns XOR; its backward pass passes a finite-difference gradient check first.
// Build and run: make examples (or: g++ -std=c++17 -O2 -I. examples/xor.cpp -o xor && ./xor)
#include <cstdio>

#include "xor.hpp"

int main() {
  static saerl::XorResult r;
  saerl::learn_xor(/*seed=*/1, /*steps=*/1000, r);

  std::printf("gradient check of a 2-8-1 MLP on XOR (mean squared error, double precision)\n");
  std::printf("  %-22s %14s %14s\n", "parameter", "backward pass", "finite diff.");
  // params is W0 (2 x 8) | b0 (8) | W1 (8 x 1) | b1 (1), each W stored (in, out)
  const char* names[4] = {"W0[1][5] (x2 -> h5)", "b0[4]", "W1[5][0] (h5 -> y)", "b1[0]"};
  const int index[4] = {1 * 8 + 5, 16 + 4, 24 + 5, 32};
  for (int i = 0; i < 4; ++i)
    std::printf("  %-22s %14.9f %14.9f\n", names[i], r.analytic[index[i]], r.numeric[index[i]]);
  std::printf("  all %d parameters: relative error %.2e (%s)\n\n", saerl::XorNet::kParams, r.gradient_error,
              r.gradient_error < 1e-6 ? "the backward pass is right" : "WRONG");

  std::printf("training: 1000 full-batch Adam steps, loss %.4f -> %.6f\n", r.initial_loss, r.final_loss);
  for (int i = 0; i < 4; ++i)
    std::printf("  %g xor %g = %g   network: %.3f\n", r.inputs[i][0], r.inputs[i][1], r.target[i], r.output[i]);
  std::printf("%s\n", r.solved ? "XOR solved: every output within 0.1 of its target" : "XOR NOT solved");
  return r.solved && r.gradient_error < 1e-6 ? 0 : 1;
}
