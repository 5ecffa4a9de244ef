#include "intercoop/yaml_scalar.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace registrar::intercoop::yaml {
namespace {

TEST(IntercoopYamlScalar, ResolvesPlainScalarsAsYaml11) {
  EXPECT_EQ(resolve_plain("01001"), ScalarType::kInt);
  EXPECT_EQ(resolve_plain("555121232"), ScalarType::kInt);
  EXPECT_EQ(resolve_plain("1.0"), ScalarType::kFloat);
  EXPECT_EQ(resolve_plain("1e5"), ScalarType::kStr);  // 1.1 floats need a dot
  EXPECT_EQ(resolve_plain("yes"), ScalarType::kBool);
  EXPECT_EQ(resolve_plain("Off"), ScalarType::kBool);
  EXPECT_EQ(resolve_plain("y"), ScalarType::kStr);  // PyYAML leaves y/n alone
  EXPECT_EQ(resolve_plain("~"), ScalarType::kNull);
  EXPECT_EQ(resolve_plain(""), ScalarType::kNull);
  EXPECT_EQ(resolve_plain("2018-01-01"), ScalarType::kTimestamp);
  EXPECT_EQ(resolve_plain("1:20"), ScalarType::kInt);
  EXPECT_EQ(resolve_plain("<<"), ScalarType::kMerge);
  EXPECT_EQ(resolve_plain("="), ScalarType::kValue);
  EXPECT_EQ(resolve_plain("09"), ScalarType::kStr);  // neither octal nor decimal
  EXPECT_EQ(resolve_plain("12345678Z"), ScalarType::kStr);
  EXPECT_EQ(resolve_plain("somillusio"), ScalarType::kStr);
}

TEST(IntercoopYamlScalar, ConstructsValuesAsSafeConstructor) {
  EXPECT_EQ(construct(ScalarType::kInt, "01001"), 513);
  EXPECT_EQ(construct(ScalarType::kInt, "0x1F"), 31);
  EXPECT_EQ(construct(ScalarType::kInt, "-0b101"), -5);
  EXPECT_EQ(construct(ScalarType::kInt, "1_000"), 1000);
  EXPECT_EQ(construct(ScalarType::kInt, "190:20:30"), 685230);
  EXPECT_EQ(construct(ScalarType::kInt, "18446744073709551615"), 18446744073709551615ull);
  EXPECT_EQ(construct(ScalarType::kInt, "-9223372036854775808"),
            std::numeric_limits<int64_t>::min());
  EXPECT_THROW(construct(ScalarType::kInt, "18446744073709551616"), YamlError);
  EXPECT_THROW(construct(ScalarType::kInt, "abc"), YamlError);
  EXPECT_EQ(construct(ScalarType::kFloat, "1.0").get<double>(), 1.0);
  EXPECT_EQ(construct(ScalarType::kFloat, "1:20.5").get<double>(), 80.5);
  // Python sums the parts from the last one up; that rounding is part of the value.
  EXPECT_EQ(construct(ScalarType::kFloat, "012:49:53.749").get<double>(), 46193.748999999996);
  EXPECT_EQ(construct(ScalarType::kFloat, "-1_000.5").get<double>(), -1000.5);
  EXPECT_EQ(construct(ScalarType::kFloat, "1.5e+3").get<double>(), 1500.0);
  EXPECT_TRUE(std::isinf(construct(ScalarType::kFloat, "-.INF").get<double>()));
  EXPECT_EQ(construct(ScalarType::kFloat, "-4.e+337").get<double>(), -HUGE_VAL);  // as Python
  EXPECT_EQ(construct(ScalarType::kFloat, "4.5e-400").get<double>(), 0.0);
  EXPECT_TRUE(std::isnan(construct(ScalarType::kFloat, ".NaN").get<double>()));
  EXPECT_EQ(construct(ScalarType::kBool, "ON"), true);
  EXPECT_EQ(construct(ScalarType::kBool, "no"), false);
  EXPECT_EQ(construct(ScalarType::kTimestamp, "2018-01-01"), "2018-01-01");
  EXPECT_THROW(construct(ScalarType::kValue, "="), YamlError);
}

TEST(IntercoopYamlScalar, WritesFloatsAsPythonRepr) {
  EXPECT_EQ(python_float_text(1.0), "1.0");
  EXPECT_EQ(python_float_text(-0.0), "-0.0");
  EXPECT_EQ(python_float_text(0.1), "0.1");
  EXPECT_EQ(python_float_text(123456.789), "123456.789");
  EXPECT_EQ(python_float_text(1e15), "1000000000000000.0");
  EXPECT_EQ(python_float_text(1e16), "1.0e+16");
  EXPECT_EQ(python_float_text(1.5e16), "1.5e+16");
  EXPECT_EQ(python_float_text(0.0001), "0.0001");
  EXPECT_EQ(python_float_text(0.00001), "1.0e-05");
  EXPECT_EQ(python_float_text(1.5e-7), "1.5e-07");
  EXPECT_EQ(python_float_text(1e300), "1.0e+300");
  EXPECT_EQ(python_float_text(std::numeric_limits<double>::infinity()), ".inf");
  EXPECT_EQ(python_float_text(-std::numeric_limits<double>::infinity()), "-.inf");
  EXPECT_EQ(python_float_text(std::nan("")), ".nan");
  EXPECT_EQ(python_repr(1e16), "1e+16");
  EXPECT_EQ(python_repr(-1.5e-05), "-1.5e-05");
  EXPECT_EQ(python_repr(2.0), "2.0");
  EXPECT_EQ(python_repr(-std::numeric_limits<double>::infinity()), "-inf");
}

}  // namespace
}  // namespace registrar::intercoop::yaml
