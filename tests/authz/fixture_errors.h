// EXPECT_INVALID(expr, field, message): expr throws core::Error(kInvalidArgument) with that
// field and message.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "core/error.h"

#define EXPECT_INVALID(expr, field_, message_)                                           \
  do {                                                                                   \
    try {                                                                                \
      (void)(expr);                                                                      \
      ADD_FAILURE() << #expr << " did not throw";                                        \
    } catch (const ::registrar::core::Error& e_) {                                       \
      EXPECT_EQ(e_.kind(), ::registrar::core::ErrorKind::kInvalidArgument) << e_.what(); \
      EXPECT_EQ(e_.field(), std::string(field_));                                        \
      EXPECT_EQ(std::string(e_.what()), std::string(message_));                          \
    }                                                                                    \
  } while (0)
