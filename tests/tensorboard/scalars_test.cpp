#include "tensorboard/scalars.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdlib>
#include <filesystem>

#include "tensorboard/event_writer.h"
#include "tensorboard/fixtures.h"

namespace hub::tensorboard {
namespace {

using namespace hub::tensorboard::testing;

TEST(Scalars, RunNamesAndEventFileNames) {
  EXPECT_EQ(run_name("runs/exp1/events.out.tfevents.1.host"), "runs/exp1");
  EXPECT_EQ(run_name("events.out.tfevents.1.host"), ".");
  EXPECT_EQ(run_name("/events.out.tfevents.1.host"), ".");
  EXPECT_TRUE(is_event_file("logs/train/events.out.tfevents.1585499054.mac.11684.5.v2"));
  EXPECT_FALSE(is_event_file("tfevents/README.md"));
  EXPECT_FALSE(is_event_file("model.safetensors"));
}

// Every scalar the independent Python writer put in the fixtures comes back bit-exact, in
// order, in the right run and tag; nothing else (histograms, images, text, histogram tensors)
// turns into a series.
TEST(Scalars, FixturesReadBackExactly) {
  const Fixtures fx = load_fixtures();
  ASSERT_EQ(fx.files.size(), 4u) << "fixtures missing: " << fixture_dir();
  const ScalarData data = load_scalars(fx.files);
  EXPECT_TRUE(data.warnings.empty()) << data.warnings[0].reason;

  const auto& runs = fx.expected.as_object().at("runs").as_object();
  ASSERT_EQ(data.runs.size(), runs.size());
  uint64_t points = 0;
  for (const auto& [run_name_json, tags_json] : runs) {
    const tensorboard::Run* run = data.find(std::string_view(run_name_json));
    ASSERT_NE(run, nullptr) << run_name_json;
    const auto& tags = tags_json.as_object();
    ASSERT_EQ(run->tags.size(), tags.size()) << run_name_json;
    for (const auto& [tag, pts_json] : tags) {
      const ScalarSeries* series = run->find(std::string_view(tag));
      ASSERT_NE(series, nullptr) << run_name_json << "/" << tag;
      const auto& pts = pts_json.as_array();
      ASSERT_EQ(series->points.size(), pts.size()) << tag;
      for (size_t i = 0; i < pts.size(); ++i) {
        const auto& p = pts[i].as_array();
        const ScalarPoint& got = series->points[i];
        EXPECT_EQ(got.step, static_cast<int64_t>(as_u64(p[0]))) << tag << " #" << i;
        EXPECT_EQ(std::bit_cast<uint64_t>(got.wall_time), as_u64(p[1])) << tag << " #" << i;
        EXPECT_EQ(std::bit_cast<uint64_t>(got.value), as_u64(p[2])) << tag << " #" << i;
      }
      points += pts.size();
    }
  }
  EXPECT_EQ(data.scalars, points);
  EXPECT_EQ(points, 325u);  // exp1 2x40+1, exp2 4 tags x 60, root 4

  // Spot checks that do not depend on expected.json.
  const tensorboard::Run* exp2 = data.find("runs/exp2");
  ASSERT_NE(exp2, nullptr);
  EXPECT_EQ(exp2->find("notes"), nullptr);  // text plugin
  EXPECT_EQ(exp2->find("dist"), nullptr);   // histogram tensor
  ASSERT_NE(exp2->find("loss"), nullptr);
  EXPECT_EQ(exp2->find("loss")->plugin_name, "scalars");
  EXPECT_EQ(exp2->find("loss")->points.size(), 60u);  // both files of the run, in order
  EXPECT_EQ(exp2->find("loss")->points[30].step, 30);
  const tensorboard::Run* exp1 = data.find("runs/exp1");
  ASSERT_NE(exp1, nullptr);
  const auto& loss = exp1->find("loss")->points;
  EXPECT_EQ(loss[loss.size() - 2].step, 39);  // the duplicate step is kept, as written
  EXPECT_EQ(loss.back().step, 39);
  EXPECT_EQ(loss.back().value, 0.125);
  EXPECT_TRUE(std::isnan(loss[8].value));
  EXPECT_EQ(exp1->find("weights"), nullptr);
  EXPECT_EQ(data.find(".")->find("edge")->points.back().step, INT64_MAX);
}

TEST(Scalars, FixturesMatchTheirWriter) {
  if (!std::filesystem::exists("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3";
  const std::string out = std::string(HUBD_BINARY_DIR) + "/tensorboard_fixture_check";
  std::filesystem::remove_all(out);
  const std::string cmd = "/usr/bin/python3 " + std::string(HUBD_SOURCE_DIR) +
                          "/tests/tensorboard/write_events.py " + out;
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  const Fixtures fx = load_fixtures();
  for (const auto& f : fx.files)
    EXPECT_EQ(slurp(out + "/" + f.path), slurp(fixture_dir() + "/" + f.path)) << f.path;
  EXPECT_EQ(slurp(out + "/expected.json"), slurp(fixture_dir() + "/expected.json"));
  std::filesystem::remove_all(out);
}

TEST(Scalars, PluginMetadataIsRememberedPerTag) {
  const Bytes t1 = f_varint(1, 1) + f_float(5, 1.5f);
  // First value names the "text" plugin; later ones carry no metadata and must stay excluded.
  const Bytes file = record(event(1, 0, values({with_plugin(tensor_value("note", t1), "text"),
                                                with_plugin(tensor_value("acc", t1), "scalars")}))) +
                     record(event(2, 1, values({tensor_value("note", t1), tensor_value("acc", t1)})));
  const EventFile f{"r/events.out.tfevents.1", as_span(file)};
  const ScalarData data = load_scalars(std::span(&f, 1));
  ASSERT_EQ(data.runs.size(), 1u);
  ASSERT_EQ(data.runs[0].tags.size(), 1u);
  EXPECT_EQ(data.runs[0].tags[0].tag, "acc");
  EXPECT_EQ(data.runs[0].tags[0].points.size(), 2u);
}

TEST(Scalars, DamagedFilesKeepGoodRecordsAndWarn) {
  Bytes bad_crc = record(event(2, 2, values({simple_value("loss", 2.f)})));
  bad_crc[bad_crc.size() - 1] ^= 1;
  const Bytes good1 = record(event(1, 1, values({simple_value("loss", 1.f)})));
  const Bytes good3 = record(event(3, 3, values({simple_value("loss", 3.f)})));
  const Bytes not_proto = record("\x0a\xff\xff");  // CRC fine, Event malformed
  const Bytes file = good1 + bad_crc + not_proto + good3 + testing::header_only(uint64_t{1} << 60);
  const Bytes garbage(5000, '\x5a');
  const std::vector<EventFile> files = {{"a/events.out.tfevents.1", as_span(file)},
                                        {"b/events.out.tfevents.1", as_span(garbage)},
                                        {"c/events.out.tfevents.1", as_span(Bytes())}};
  const ScalarData data = load_scalars(files);
  ASSERT_EQ(data.runs.size(), 1u);
  const auto& pts = data.runs[0].tags[0].points;
  ASSERT_EQ(pts.size(), 2u);
  EXPECT_EQ(pts[0], (ScalarPoint{1, 1.0, 1.0}));
  EXPECT_EQ(pts[1], (ScalarPoint{3, 3.0, 3.0}));
  ASSERT_EQ(data.warnings.size(), 4u);  // data CRC, bad event, truncated, garbage file
  EXPECT_EQ(data.warnings[0].file, "a/events.out.tfevents.1");
  EXPECT_EQ(data.warnings[0].offset, good1.size());
  EXPECT_EQ(data.warnings[0].record, 1u);
  EXPECT_EQ(data.warnings[1].record, 2u);
  EXPECT_NE(data.warnings[2].reason.find("truncated"), std::string::npos);
  EXPECT_EQ(data.warnings[3].file, "b/events.out.tfevents.1");
}

}  // namespace
}  // namespace hub::tensorboard
