#include "support/refusal.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace registrar::testing {

std::string refused_field(const std::function<void()>& attempt) {
  try {
    attempt();
  } catch (const core::Error& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::kInvalidArgument)
        << core::kind_name(e.kind()) << ": " << e.what();
    return e.field();
  }
  return kAccepted;
}

}  // namespace registrar::testing
