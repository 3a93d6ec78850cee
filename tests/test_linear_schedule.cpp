// Tests of dqn/linear_schedule.hpp: linear annealing from start to end, then constant.
#include <doctest/doctest.h>

#include "dqn/linear_schedule.hpp"

TEST_CASE("epsilon starts at start at step 0") {
  saerl::LinearSchedule eps{1.0f, 0.05f, 1000};
  CHECK(eps.at(0) == 1.0f);
  saerl::LinearSchedule eps2{0.3f, 0.01f, 500000};
  CHECK(eps2.at(0) == 0.3f);
}

TEST_CASE("epsilon reaches end at steps and stays there beyond") {
  saerl::LinearSchedule eps{1.0f, 0.05f, 1000};
  CHECK(eps.at(1000) == 0.05f);
  CHECK(eps.at(1001) == 0.05f);
  CHECK(eps.at(5000) == 0.05f);
  CHECK(eps.at(2000000000L) == 0.05f);
  CHECK(eps.at(999) > 0.05f);  // not there one step early
}

TEST_CASE("epsilon is linear: halfway it is the mean of start and end") {
  saerl::LinearSchedule eps{1.0f, 0.1f, 100};
  CHECK(eps.at(50) == doctest::Approx(0.55f).epsilon(1e-6));
  CHECK(eps.at(25) == doctest::Approx(0.775f).epsilon(1e-6));
  CHECK(eps.at(75) == doctest::Approx(0.325f).epsilon(1e-6));
  CHECK(eps.at(99) == doctest::Approx(0.109f).epsilon(1e-6));
  saerl::LinearSchedule big{0.3f, 0.01f, 500000};
  CHECK(big.at(250000) == doctest::Approx(0.155f).epsilon(1e-6));
}

TEST_CASE("epsilon never increases over a decreasing schedule") {
  saerl::LinearSchedule eps{0.9f, 0.02f, 300};
  float prev = eps.at(0);
  for (long t = 1; t <= 400; ++t) {
    float e = eps.at(t);
    CHECK(e <= prev);
    CHECK(e >= 0.02f);
    prev = e;
  }
}

TEST_CASE("an increasing schedule anneals upwards just as linearly") {
  saerl::LinearSchedule eps{0.0f, 1.0f, 10};
  CHECK(eps.at(0) == 0.0f);
  CHECK(eps.at(3) == doctest::Approx(0.3f).epsilon(1e-6));
  CHECK(eps.at(10) == 1.0f);
  CHECK(eps.at(11) == 1.0f);
}

TEST_CASE("a schedule of zero or negative steps is end at every step") {
  saerl::LinearSchedule zero{1.0f, 0.05f, 0};
  CHECK(zero.at(0) == 0.05f);
  CHECK(zero.at(1) == 0.05f);
  CHECK(zero.at(1000) == 0.05f);
  saerl::LinearSchedule negative{1.0f, 0.05f, -10};
  CHECK(negative.at(0) == 0.05f);
  CHECK(negative.at(5) == 0.05f);
}

TEST_CASE("the default epsilon schedule goes 0.3 to 0.01 over 100,000 steps") {
  saerl::LinearSchedule eps;
  CHECK(eps.at(0) == 0.3f);
  CHECK(eps.at(100000) == 0.01f);
  CHECK(eps.at(50000) == doctest::Approx(0.155f).epsilon(1e-6));
}
