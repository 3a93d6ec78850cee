// saerl/examples/steering_types.hpp — what counterfactual steering (examples/steering.hpp)
// takes and gives: its options, the rates of one feature, its records and family summaries.
#pragma once
#include <cstdint>

#include "../gridworld/rook_checkmate.hpp"

namespace saerl {

struct SteeringOptions {
  double min_precision = 0.9;   // labels below this precision are not tested (nor erased)
  int max_positions = 512;      // per feature, drawn without replacement; 0: every position
  int density_pool = 8;         // the random feature: one of this many nearest in log density
  uint64_t seed = 1;
  bool named = true;            // also test the features labelled with named predicates
  bool erase_within_family = false;  // E(x) only from p's family (piece-square or named)
  float strength = 1;           // f_j = strength * v_j (1: the mean value; larger did not help)
};

// Means over a feature's positions x (definitions in the header). The headline six first; then
// what explains them:
//   swap_agreement     the ceiling: argmax Q(h + (f(x') - f(x)) W_dec) = a(x'), every feature
//                      that differs written
//   action_changed     argmax Q(h') != a(x): the intervention moves the action at all
//   directed_agreement of those moves, the fraction that land on a(x') (hit / changed);
//                      random_directed_agreement the same for the random feature
//   delta_cosine       cos(h' - h, z_1(x') - h): the edit's direction against the true change
//   delta_reach        <h' - h, z_1(x') - h> / |z_1(x') - h|^2: how far along it the edit goes
//   code_changes       the features whose code differs between x and x' (a count, not a rate)
//   random_optimal, unintervened_optimal, dqn_optimal: how often the random edit's action,
//                      a(x) and a(x') are optimal on x' (the baselines and the ceiling of
//                      optimal_on_counterfactual)
struct SteeringRates {
  double counterfactual_agreement = 0, optimal_on_counterfactual = 0, random_direction_agreement = 0,
         unintervened_agreement = 0, reconstruction_agreement = 0, reconstruction_optimal = 0;
  double swap_agreement = 0, action_changed = 0, directed_agreement = 0, random_directed_agreement = 0,
         delta_cosine = 0, delta_reach = 0, code_changes = 0;
  double random_optimal = 0, unintervened_optimal = 0, dqn_optimal = 0;

  struct Field {
    const char* name;
    double SteeringRates::*value;
  };
  static constexpr Field kFields[] = {
      {"counterfactual_agreement", &SteeringRates::counterfactual_agreement},
      {"optimal_on_counterfactual", &SteeringRates::optimal_on_counterfactual},
      {"random_direction_agreement", &SteeringRates::random_direction_agreement},
      {"unintervened_agreement", &SteeringRates::unintervened_agreement},
      {"reconstruction_agreement", &SteeringRates::reconstruction_agreement},
      {"reconstruction_optimal", &SteeringRates::reconstruction_optimal},
      {"swap_agreement", &SteeringRates::swap_agreement},
      {"action_changed", &SteeringRates::action_changed},
      {"directed_agreement", &SteeringRates::directed_agreement},
      {"random_directed_agreement", &SteeringRates::random_directed_agreement},
      {"delta_cosine", &SteeringRates::delta_cosine},
      {"delta_reach", &SteeringRates::delta_reach},
      {"code_changes", &SteeringRates::code_changes},
      {"random_optimal", &SteeringRates::random_optimal},
      {"unintervened_optimal", &SteeringRates::unintervened_optimal},
      {"dqn_optimal", &SteeringRates::dqn_optimal},
  };

  void add(const SteeringRates& r, double w) {
    for (const Field& f : kFields) this->*f.value += w * (r.*f.value);
  }
};

// One tested feature.
struct SteeringRecord {
  int feature = -1, predicate = -1, random_feature = -1;
  double precision = 0;  // of the label
  double value = 0;      // v_j, the value written
  int candidates = 0;    // positions x with an x' (before sampling)
  int positions = 0;     // tested
  double erased = 0;     // mean number of active features zeroed (|E(x)| with f_k > 0)
  SteeringRates rates;   // the optimal rates are -1 without a solver
};

// A family: its tested features and their rates, each the unweighted mean over them.
struct SteeringSummary {
  int tested = 0;
  long positions = 0;
  SteeringRates rates;
};

template <int M>
struct Steering {
  SteeringSummary squares, named;  // piece-on-square labels; the named predicates' labels
  int count = 0;                   // records[0..count): tested features in index order
  SteeringRecord records[M];
};

}  // namespace saerl
