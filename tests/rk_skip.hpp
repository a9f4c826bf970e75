// RK_SKIP(): GTEST_SKIP() for tests that need something the machine may lack (kernel trees,
// tmux, skopeo), which becomes a failure when RK_NO_SKIP is set. `make test` sets it after
// installing and fetching everything, so in CI such a test can never pass by skipping.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>

namespace rk::testing {
inline ::testing::TestPartResult::Type skip_or_fail() {
  const char* v = std::getenv("RK_NO_SKIP");
  return v && *v ? ::testing::TestPartResult::kFatalFailure : ::testing::TestPartResult::kSkip;
}
}  // namespace rk::testing

#define RK_SKIP()                                                                             \
  return ::testing::internal::AssertHelper(::rk::testing::skip_or_fail(), __FILE__, __LINE__, \
                                           "RK_NO_SKIP is set: this test may not skip") =     \
             ::testing::Message()
