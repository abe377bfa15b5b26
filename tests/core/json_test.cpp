#include "core/json.h"

#include <gtest/gtest.h>

namespace hub {

TEST(Json, ParseAndAccessors) {
  auto v = json::parse(R"({"a":"x","n":3,"f":1.5,"b":true,"o":{},"l":[1]})");
  ASSERT_TRUE(v.has_value());
  auto& o = v->as_object();
  EXPECT_EQ(json::get_string(o, "a"), "x");
  EXPECT_EQ(json::get_int(o, "n"), 3);
  EXPECT_EQ(json::get_number(o, "f"), 1.5);
  EXPECT_EQ(json::get_bool(o, "b"), true);
  EXPECT_NE(json::get_object(o, "o"), nullptr);
  EXPECT_NE(json::get_array(o, "l"), nullptr);
  EXPECT_FALSE(json::get_string(o, "n").has_value());
  EXPECT_FALSE(json::get_int(o, "missing").has_value());
}

TEST(Json, IntegersFromDoublesOnlyWhenExactAndInRange) {
  auto v = json::parse(R"({"a":3.0,"b":3.5,"c":1e300,"d":-1e19,"e":1e18})");
  auto& o = v->as_object();
  EXPECT_EQ(json::get_int(o, "a"), 3);
  EXPECT_FALSE(json::get_int(o, "b").has_value());
  EXPECT_FALSE(json::get_int(o, "c").has_value());
  EXPECT_FALSE(json::get_int(o, "d").has_value());
  EXPECT_EQ(json::get_int(o, "e"), 1000000000000000000LL);
}

TEST(Json, MalformedAndDeepInputsAreErrors) {
  EXPECT_FALSE(json::parse("{").has_value());
  EXPECT_FALSE(json::parse("{\"a\":}").has_value());
  std::string deep(10000, '[');
  auto r = json::parse(deep);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
}

}  // namespace hub
