#include "core/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>

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

// Expected texts are what CPython's repr(float) / json.dumps writes (checked with python3).
TEST(JsonNumbers, DoublesAreWrittenAsPythonReprs) {
  struct Case {
    double d;
    const char* text;
  } cases[] = {
      {0.9976111997365609, "0.9976111997365609"},
      {0.0, "0.0"},
      {-0.0, "-0.0"},
      {1.0, "1.0"},
      {-2.5, "-2.5"},
      {100.0, "100.0"},
      {0.1, "0.1"},
      {1.0 / 3, "0.3333333333333333"},
      {1e-05, "1e-05"},
      {1e-7, "1e-07"},
      {1.5e-7, "1.5e-07"},
      {0.0001, "0.0001"},
      {0.00012345, "0.00012345"},
      {1e15, "1000000000000000.0"},
      {1234567890123456.7, "1234567890123456.8"},
      {1e16, "1e+16"},
      {1e21, "1e+21"},
      {1e22, "1e+22"},
      {1.2345678901234568e+17, "1.2345678901234568e+17"},
      {1e100, "1e+100"},
      {5e-324, "5e-324"},
      {2.2250738585072014e-308, "2.2250738585072014e-308"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {-1.7976931348623157e308, "-1.7976931348623157e+308"},
      {123.456, "123.456"},
      {6.02214076e23, "6.02214076e+23"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(json::number_text(c.d), c.text);
    EXPECT_EQ(json::serialize(json::value(c.d)), c.text);
    // Round trip: the text reads back (strtod, as Python's float() does) as the very same double,
    // and so does json::parse (exact to the last bit, unlike Boost.JSON 1.81's own conversion,
    // which reads 0.9976111997365609 one ulp off).
    double back = std::strtod(c.text, nullptr);
    EXPECT_EQ(std::signbit(back), std::signbit(c.d)) << c.text;
    EXPECT_EQ(back, c.d) << c.text;
    auto parsed = json::parse(c.text);
    ASSERT_TRUE(parsed.has_value()) << c.text;
    ASSERT_TRUE(parsed->is_double()) << c.text;
    EXPECT_EQ(parsed->as_double(), c.d) << c.text;
    EXPECT_EQ(std::signbit(parsed->as_double()), std::signbit(c.d)) << c.text;
  }
}

TEST(JsonNumbers, NonFiniteDoublesAreNull) {
  EXPECT_EQ(json::serialize(json::value(std::nan(""))), "null");
  EXPECT_EQ(json::serialize(json::value(HUGE_VAL)), "null");
  EXPECT_EQ(json::serialize(json::array{-HUGE_VAL, 1.5}), "[null,1.5]");
  // number_text itself spells them as Python does; only JSON output turns them into null.
  EXPECT_EQ(json::number_text(HUGE_VAL), "inf");
  EXPECT_EQ(json::number_text(-HUGE_VAL), "-inf");
  EXPECT_EQ(json::number_text(std::nan("")), "NaN");
}

TEST(JsonNumbers, IntegersStayIntegers) {
  json::object o{{"i", 3}, {"neg", -7}, {"big", INT64_MAX}, {"min", INT64_MIN}, {"u", UINT64_MAX}, {"d", 3.0}};
  EXPECT_EQ(json::serialize(o),
            R"({"i":3,"neg":-7,"big":9223372036854775807,"min":-9223372036854775808,"u":18446744073709551615,"d":3.0})");
  // Parsed documents keep their kinds: 1 stays 1 and 1.0 stays 1.0 (config.json reads back as pushed).
  auto v = json::parse(R"({"a":1,"b":1.0,"c":1e-05,"d":0.02,"e":-0.0,"f":12345678901234567890})");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(json::serialize(*v), R"({"a":1,"b":1.0,"c":1e-05,"d":0.02,"e":-0.0,"f":12345678901234567890})");
}

TEST(JsonSerialize, StringsAndNestingAsBoostWritesThem) {
  std::string ctl = "a\"b\\c\n\r\t\b\f";
  ctl += '\0';
  ctl += "\x01\x1f\x7f/\xc3\xa9";
  json::value v = json::object{{"s", ctl}, {"l", json::array{nullptr, true, false, json::object{}, json::array{}}},
                               {"k\"ey", "x"}};
  std::string ours = json::serialize(v);
  EXPECT_EQ(ours, boost::json::serialize(v));
  EXPECT_EQ(ours, "{\"s\":\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0000\\u0001\\u001f\x7f/\xc3\xa9\","
                  "\"l\":[null,true,false,{},[]],\"k\\\"ey\":\"x\"}");
  // Whatever we write parses back to an equal value.
  auto back = json::parse(ours);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, v);
}

// Malformed or odd documents: parse then serialize never crashes, and output parses again.
TEST(JsonSerialize, ReparsesWhatItWrites) {
  const char* docs[] = {R"([1e400])", R"([-1e-400])", R"({"a":[[[[[]]]]],"":""})", R"("\ud800")",
                        R"([0.1e1,1E2,-0,00])", R"([1.7976931348623157e309])", R"({"x":"\u0000"})"};
  for (const char* d : docs) {
    auto v = json::parse(d);
    if (!v) continue;  // refused by the parser: fine
    auto text = json::serialize(*v);
    auto again = json::parse(text);
    ASSERT_TRUE(again.has_value()) << d << " -> " << text;
  }
}


// json::parse converts every double exactly (correct rounding, as strtod and Python do), also
// inside documents, and keeps everything else as Boost.JSON's own parser does.
TEST(JsonNumbers, ParsedDoublesAreExact) {
  std::mt19937_64 rng(7);
  std::string doc = "[";
  std::vector<double> want;
  for (int i = 0; i < 20000; ++i) {
    double d;
    uint64_t bits = rng();
    std::memcpy(&d, &bits, sizeof d);
    if (!std::isfinite(d)) continue;
    want.push_back(d);
    doc += (want.size() > 1 ? "," : "") + json::number_text(d);
  }
  doc += "]";
  auto parsed = json::parse(doc);
  ASSERT_TRUE(parsed);
  const auto& arr = parsed->as_array();
  ASSERT_EQ(arr.size(), want.size());
  size_t wrong = 0;
  for (size_t i = 0; i < want.size(); ++i)
    if (!arr[i].is_double() || arr[i].as_double() != want[i]) ++wrong;
  EXPECT_EQ(wrong, 0u);
  // Structure, strings, integers and errors are unchanged.
  auto v = json::parse(R"({"a":[1,-2,18446744073709551615,2.5e-3,true,null],"k\u00e9":"x\ny","e":{}})");
  ASSERT_TRUE(v);
  EXPECT_EQ(json::serialize(*v), R"({"a":[1,-2,18446744073709551615,0.0025,true,null],"ké":"x\ny","e":{}})");
  EXPECT_TRUE(json::parse("1e400")->is_double());  // overflow: infinity, as before
  EXPECT_TRUE(std::isinf(json::parse("1e400")->as_double()));
  EXPECT_FALSE(json::parse("[1,2"));
  EXPECT_FALSE(json::parse("{} x"));
  EXPECT_FALSE(json::parse(""));
}

}  // namespace hub
