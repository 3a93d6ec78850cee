// Tests of gridworld/render.hpp: the ASCII boards.
#include <doctest/doctest.h>

#include <cstring>

#include "gridworld/render.hpp"

using Game = saerl::RookCheckmate<5>;

TEST_CASE("a rendered position shows rank and file labels and the three pieces") {
  Game::Position p = Game::make(/*K c3*/ 12, /*R a1*/ 0, /*k d5*/ 23);
  char buf[saerl::render_position_size<5>()];
  size_t n = saerl::render_position<5>(p, buf, sizeof buf);
  const char* expect =
      "5 . . . k .\n"
      "4 . . . . .\n"
      "3 . . K . .\n"
      "2 . . . . .\n"
      "1 R . . . .\n"
      "  a b c d e\n";
  CHECK(std::strcmp(buf, expect) == 0);
  CHECK(n == std::strlen(expect));
  CHECK(n + 1 == sizeof buf);
}

TEST_CASE("rendering into a small buffer truncates, terminates and reports the size needed") {
  Game env;
  env.reset_to(Game::make(12, 0, 23));
  char small[8];
  size_t n = saerl::render_position(env, small, sizeof small);
  CHECK(n == saerl::render_position_size<5>() - 1);
  CHECK(std::strlen(small) == 7);
  CHECK(std::strncmp(small, "5 . . .", 7) == 0);
  CHECK(saerl::render_position<5>(env.pos, nullptr, 0) == n);
}

TEST_CASE("an 8x8 board is labelled a..h and 1..8") {
  using G8 = saerl::RookCheckmate<8>;
  char buf[saerl::render_position_size<8>()];
  saerl::render_position<8>(G8::make(0, 7, 63), buf, sizeof buf);
  CHECK(std::strstr(buf, "8 . . . . . . . k\n") != nullptr);
  CHECK(std::strstr(buf, "1 K . . . . . . R\n") != nullptr);
  CHECK(std::strstr(buf, "  a b c d e f g h\n") != nullptr);
}

TEST_CASE("a rendered maze shows walls, the agent and the goal") {
  saerl::Maze<5> maze;
  maze.reset_to(0);
  char buf[saerl::render_maze_size<5>()];
  size_t n = saerl::render_maze(maze, buf, sizeof buf);
  const char* expect =
      ". . . # G\n"
      ". # . # .\n"
      ". # . # .\n"
      ". # . # .\n"
      "A # . . .\n";
  CHECK(std::strcmp(buf, expect) == 0);
  CHECK(n == std::strlen(expect));
}
