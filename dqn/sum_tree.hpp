// saerl/dqn/sum_tree.hpp — a sum tree over Capacity non-negative weights, for drawing an index
// with probability proportional to its weight in O(log Capacity) (prioritized replay).
//
//   saerl::SumTree<50000> tree;          // all weights 0
//   tree.set(i, w);                      // weight of slot i
//   int j = tree.find(u * tree.total()); // u uniform in [0, 1): j is drawn with P = w_j / total
//
// Layout: node 1 is the root, node k has children 2k and 2k + 1, and leaf i is node
// kLeaves + i (kLeaves the power of two at or above Capacity; the padding leaves stay 0).
// Each inner node holds the sum of its two children; set() recomputes the sums on the path from
// leaf to root from the children, so no rounding error accumulates over many updates.
#pragma once

namespace saerl {

template <int Capacity>
struct SumTree {
  static_assert(Capacity > 0, "SumTree: the capacity must be positive");
  static constexpr int kLeaves = [] {
    int p = 1;
    while (p < Capacity) p *= 2;
    return p;
  }();

  float node[2 * kLeaves] = {};

  float total() const { return node[1]; }
  float weight(int i) const { return node[kLeaves + i]; }
  void clear() {
    for (float& w : node) w = 0;
  }

  void set(int i, float w) {
    int k = kLeaves + i;
    node[k] = w;
    for (k /= 2; k >= 1; k /= 2) node[k] = node[2 * k] + node[2 * k + 1];
  }

  // The slot i whose cumulative range [w_0 + ... + w_(i-1), w_0 + ... + w_i) holds `mass`
  // (0 <= mass < total()): the descent goes left when mass falls in the left child's sum, else
  // right with that sum taken off. A right child of weight 0 is never entered (a rounding of
  // mass at the edge goes left instead), so a slot of weight 0 is never returned while the
  // total is positive.
  int find(float mass) const {
    int k = 1;
    while (k < kLeaves) {
      const float left = node[2 * k];
      if (mass < left || node[2 * k + 1] <= 0) {
        k = 2 * k;
      } else {
        mass -= left;
        k = 2 * k + 1;
      }
    }
    return k - kLeaves;
  }
};

}  // namespace saerl
