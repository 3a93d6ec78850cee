// saerl/examples/steering_examples.hpp — a few steering cases to show: the tested features
// that steer best and worst, each with one position x, its counterfactual board x' and the
// DQN's moves, as JSON for the report (which draws the two boards side by side).
//
//   Json examples = saerl::steering_examples_json(net, sae, report, cf, &solver, steering, options);
//   file.set("steering_examples", std::move(examples));   // an array, best first
//
// Best and worst by the feature's counterfactual agreement over its tested positions (ties:
// the lower feature number), over both families; one case each when they differ (steering_case,
// x drawn by options.seed).
#pragma once
#include "../gridworld/rook_checkmate.hpp"
#include "json.hpp"
#include "steering.hpp"

namespace saerl {

template <class Net, class SaeT, int N, class Report>
Json steering_examples_json(const Net& net, SaeT& sae, const Report& report, const Counterfactuals<N>& cf,
                            const typename Counterfactuals<N>::Solver* solver, const Steering<SaeT::kFeatures>& st,
                            const SteeringOptions& options) {
  using Game = RookCheckmate<N>;
  const auto squares = [](typename Game::Position p) {  // [white king, rook, black king]
    const double s[3] = {double(p.wk), double(p.wr), double(p.bk)};
    return json_numbers(s, 3);
  };
  Json list = json_array();
  int best = -1, worst = -1;
  for (int i = 0; i < st.count; ++i) {
    const double a = st.records[i].rates.counterfactual_agreement;
    if (best < 0 || a > st.records[best].rates.counterfactual_agreement) best = i;
    if (worst < 0 || a < st.records[worst].rates.counterfactual_agreement) worst = i;
  }
  for (int i : {best, worst == best ? -1 : worst}) {
    if (i < 0) continue;
    const SteeringRecord& r = st.records[i];
    SteeringCase<N> c;
    if (!steering_case(net, sae, report, cf, solver, r.feature, options.seed, options, c).ok()) continue;
    char move[16], phrase[96];
    Json e = json_object();
    e.set("feature", json_number(c.feature));
    e.set("label", json_string(RookPredicates<N>::name(c.predicate)));
    e.set("phrase", json_string(RookPredicates<N>::describe(c.predicate, phrase, sizeof phrase)));
    e.set("counterfactual_agreement", json_number(r.rates.counterfactual_agreement));
    e.set("x", squares(c.x));
    e.set("x_prime", squares(c.x_prime));
    e.set("action_x", json_string(Game::action_name(c.action_x, move, sizeof move)));
    e.set("action_steered", json_string(Game::action_name(c.action_steered, move, sizeof move)));
    e.set("action_x_prime", json_string(Game::action_name(c.action_x_prime, move, sizeof move)));
    list.push(std::move(e));
  }
  return list;
}

}  // namespace saerl
