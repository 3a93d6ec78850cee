#include <doctest/doctest.h>

#include <cstring>

#include "core/base/status.hpp"

TEST_CASE("a default Status is ok and an error carries its code and formatted message") {
  saerl::Status ok;
  CHECK(ok.ok());
  CHECK(saerl::Status::success().ok());
  saerl::Status e = saerl::Status::error(saerl::StatusCode::bad_shape, "layer %d is %d wide", 2, 128);
  CHECK_FALSE(e.ok());
  CHECK(e.code == saerl::StatusCode::bad_shape);
  CHECK(std::strcmp(e.message, "layer 2 is 128 wide") == 0);
  CHECK(std::strcmp(saerl::status_code_name(e.code), "bad_shape") == 0);
}

TEST_CASE("a message longer than the buffer is cut and still terminated") {
  char long_text[400];
  std::memset(long_text, 'x', sizeof long_text - 1);
  long_text[sizeof long_text - 1] = '\0';
  saerl::Status e = saerl::Status::error(saerl::StatusCode::io_error, "%s", long_text);
  CHECK(std::strlen(e.message) == sizeof e.message - 1);
}
