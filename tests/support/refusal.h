// What a validator refuses, as the field it names: the shape of most "bad input names the field"
// tests.
#pragma once

#include <functional>
#include <string>

namespace registrar::testing {

// What refused_field returns when `attempt` threw nothing.
inline constexpr const char* kAccepted = "(accepted)";

// Runs `attempt`. When it throws core::Error, returns the error's field (a test failure unless
// its kind is kInvalidArgument, which every validator throws for bad input); kAccepted when it
// throws nothing. Other exceptions propagate and fail the test.
std::string refused_field(const std::function<void()>& attempt);

}  // namespace registrar::testing
