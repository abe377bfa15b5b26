#include "tensorboard/metrics_json.h"

#include <gtest/gtest.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <limits>

#include "core/json.h"
#include "tensorboard/event_writer.h"
#include "tensorboard/fixtures.h"

namespace hub::tensorboard {
namespace {

using namespace hub::tensorboard::testing;

// Numbers are read back with std::from_chars (correctly rounded), not the JSON library's
// parser, so the check is on the exact text the serializer wrote.
std::vector<double> numbers_in(std::string_view points_json) {
  std::vector<double> out;
  const char* p = points_json.data();
  const char* end = p + points_json.size();
  while (p < end) {
    if (*p == '-' || (*p >= '0' && *p <= '9')) {
      double v;
      auto r = std::from_chars(p, end, v);
      out.push_back(v);
      p = r.ptr;
    } else if (*p == '"') {
      const char* q = std::find(p + 1, end, '"');
      const std::string_view s(p + 1, static_cast<size_t>(q - p - 1));
      out.push_back(s == "NaN" ? std::nan("") : s == "Infinity" ? INFINITY : -INFINITY);
      p = q + 1;
    } else {
      ++p;
    }
  }
  return out;
}

TEST(MetricsJson, ShapeAndExactValues) {
  const Fixtures fx = load_fixtures();
  ASSERT_FALSE(fx.files.empty());
  const ScalarData data = load_scalars(fx.files);
  const std::string text = metrics_json(data);
  auto parsed = json::parse(text);
  ASSERT_TRUE(parsed) << parsed.error().message;
  const auto& root = parsed->as_object();
  const auto& runs = root.at("runs").as_array();
  ASSERT_EQ(runs.size(), data.runs.size());
  EXPECT_EQ(runs[0].as_object().at("name").as_string(), ".");
  EXPECT_EQ(runs[1].as_object().at("name").as_string(), "runs/exp1");
  EXPECT_TRUE(root.at("warnings").as_array().empty());
  EXPECT_EQ(root.at("warnings_dropped").as_int64(), 0);

  // runs/exp1 tags are sorted: accuracy, loss. Compare loss bit for bit (NaN by class).
  const auto& tags = runs[1].as_object().at("tags").as_array();
  ASSERT_EQ(tags.size(), 2u);
  EXPECT_EQ(tags[1].as_object().at("tag").as_string(), "loss");
  EXPECT_EQ(tags[1].as_object().at("plugin").as_string(), "");
  const auto& loss = data.runs[1].tags[1].points;
  EXPECT_EQ(tags[1].as_object().at("total_points").as_int64(), static_cast<int64_t>(loss.size()));
  // Boost.JSON 1.81 may round some numbers: slice our own text and use from_chars.
  const size_t at = text.find("\"tag\":\"loss\"", text.find("runs/exp1"));
  const size_t open = text.find("\"points\":", at) + 9;
  const size_t close = text.find("]]", open) + 2;
  const auto nums = numbers_in(std::string_view(text).substr(open, close - open));
  ASSERT_EQ(nums.size(), loss.size() * 3);
  for (size_t i = 0; i < loss.size(); ++i) {
    EXPECT_EQ(nums[3 * i], static_cast<double>(loss[i].step));
    EXPECT_EQ(std::bit_cast<uint64_t>(nums[3 * i + 1]), std::bit_cast<uint64_t>(loss[i].wall_time));
    if (std::isnan(loss[i].value))
      EXPECT_TRUE(std::isnan(nums[3 * i + 2]));
    else
      EXPECT_EQ(std::bit_cast<uint64_t>(nums[3 * i + 2]), std::bit_cast<uint64_t>(loss[i].value)) << i;
  }
  EXPECT_NE(text.find("\"NaN\""), std::string::npos);
  EXPECT_NE(text.find("\"-Infinity\""), std::string::npos);
}

TEST(MetricsJson, MaxPointsDownsamplesEachSeries) {
  const Fixtures fx = load_fixtures();
  auto parsed = json::parse(metrics_json(load_scalars(fx.files), {.max_points = 10}));
  ASSERT_TRUE(parsed);
  for (const auto& run : parsed->as_object().at("runs").as_array())
    for (const auto& tag : run.as_object().at("tags").as_array()) {
      const auto& t = tag.as_object();
      const size_t total = static_cast<size_t>(t.at("total_points").as_int64());
      EXPECT_EQ(t.at("points").as_array().size(), std::min<size_t>(total, 10));
    }
}

TEST(MetricsJson, FilesOverloadFiltersAndReportsWarnings) {
  const Bytes good = record(event(1, 1, values({simple_value("a\"b\\c\n", 1.f)})));
  Bytes bad = good;
  bad[bad.size() - 1] ^= 1;
  const Bytes tag_bytes = "bad\xff\xc3(utf8\xe2\x82";  // invalid UTF-8 in a tag
  const Bytes odd = record(event(2, 2, values({simple_value(tag_bytes, 2.f)})));
  const Bytes readme = "# not an event file";
  const Bytes x = good + bad;  // EventFile borrows: keep the bytes alive
  const std::vector<EventFile> files = {{"x/events.out.tfevents.1", as_span(x)},
                                        {"y\x01/events.out.tfevents.2", as_span(odd)},
                                        {"x/README.md", as_span(readme)}};
  const std::string text = metrics_json(files);
  auto parsed = json::parse(text);
  ASSERT_TRUE(parsed) << text;
  const auto& root = parsed->as_object();
  const auto& runs = root.at("runs").as_array();
  ASSERT_EQ(runs.size(), 2u) << text;
  const auto& tag = runs[0].as_object().at("tags").as_array()[0].as_object();
  EXPECT_EQ(tag.at("tag").as_string(), "a\"b\\c\n");
  EXPECT_EQ(runs[1].as_object().at("name").as_string(), "y\x01");
  const std::string odd_tag(runs[1].as_object().at("tags").as_array()[0].as_object().at("tag").as_string());
  EXPECT_EQ(odd_tag, "bad\xef\xbf\xbd\xef\xbf\xbd(utf8\xef\xbf\xbd\xef\xbf\xbd");
  const auto& warnings = root.at("warnings").as_array();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].as_object().at("file").as_string(), "x/events.out.tfevents.1");
  EXPECT_EQ(warnings[0].as_object().at("offset").as_int64(), static_cast<int64_t>(good.size()));
  EXPECT_EQ(warnings[0].as_object().at("record").as_int64(), 1);
}

TEST(MetricsJson, EmptyInputIsAValidEmptyDocument) {
  EXPECT_EQ(metrics_json(ScalarData{}), R"({"runs":[],"warnings":[],"warnings_dropped":0})");
}

}  // namespace
}  // namespace hub::tensorboard
