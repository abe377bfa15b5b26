// Parity with the reference engine: every template in templates/ and every chat_template
// under the shared fixtures dir is rendered with the conversations of cases.json by
// @huggingface/jinja (render_goldens.mjs, run here with node) and by our engine through
// load_chat_template + apply; outputs must match byte for byte, errors must be errors,
// and a raise_exception must carry the same message. Skips when node or the npm package
// is absent.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "core/json.h"
#include "inference/chat/chat_template.h"
#include "shared_dir.h"

namespace fs = std::filesystem;
using namespace hub::inference::chat;

namespace {

const fs::path kHere = fs::path(HUBD_SOURCE_DIR) / "tests" / "inference" / "chat";

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs the node script once per process; returns the goldens or a reason to skip.
struct Goldens {
  boost::json::object doc;
  std::string skip;
};

const Goldens& goldens() {
  static const Goldens g = [] {
    Goldens out;
    fs::path modules = fs::path(HUBD_SOURCE_DIR) / "tests" / "node_modules" / "@huggingface" / "jinja";
    if (!fs::exists(modules)) {
      out.skip = "npm package @huggingface/jinja absent (" + modules.string() + "); run npm ci in tests/";
      return out;
    }
    if (std::system("node --version > /dev/null 2>&1") != 0) {
      out.skip = "node absent";
      return out;
    }
    fs::path dir = fs::path(HUBD_BINARY_DIR) / "chat_goldens";
    fs::create_directories(dir);
    // Per process: ctest runs each case in its own process, possibly in parallel.
    fs::path file = dir / ("goldens-" + std::to_string(::getpid()) + ".json");
    fs::remove(file);
    std::string cmd = "node '" + (kHere / "render_goldens.mjs").string() + "' '" + (kHere / "cases.json").string() +
                      "' '" + (kHere / "templates").string() + "' '" + hub::testing::shared_dir().string() + "' '" +
                      file.string() + "'";
    if (std::system(cmd.c_str()) != 0 || !fs::exists(file)) {
      out.skip = "render_goldens.mjs failed: " + cmd;
      return out;
    }
    auto parsed = hub::json::parse(read_text(file), 256);
    if (!parsed || !parsed->is_object()) {
      out.skip = "goldens.json unreadable";
      return out;
    }
    out.doc = std::move(parsed->get_object());
    fs::remove(file);
    return out;
  }();
  return g;
}

boost::json::object cases() {
  auto parsed = hub::json::parse(read_text(kHere / "cases.json"));
  EXPECT_TRUE(parsed.has_value());
  return parsed ? parsed->get_object() : boost::json::object{};
}

// Our rendering of one golden: the same config (special tokens) and options.
hub::Result<std::string> ours(const boost::json::object& g, const boost::json::object& case_doc) {
  boost::json::object config;
  if (g.at("shared").as_bool()) {
    auto parsed = hub::json::parse(read_text(std::string(g.at("file").as_string())));
    if (!parsed) return std::unexpected(parsed.error());
    config = parsed->get_object();
  } else {
    config = case_doc.at("config").as_object();
    config["chat_template"] = read_text(std::string(g.at("file").as_string()));
  }
  auto chat = load_chat_template(config);
  if (!chat) return std::unexpected(chat.error());
  ChatOptions options;
  options.add_generation_prompt = g.at("add_generation_prompt").as_bool();
  if (g.at("tools").is_array()) options.tools = g.at("tools").as_array();
  const auto& messages = case_doc.at("conversations").at(g.at("conversation").as_string()).as_array();
  return apply(*chat, messages, options);
}

bool is_raise(const hub::Error& e) {
  return e.detail == hub::Detail::TemplateError && e.message.rfind("chat template", 0) != 0;
}

}  // namespace

TEST(ChatGoldenTest, TemplatesMatchReferenceEngine) {
  const auto& g = goldens();
  if (!g.skip.empty()) GTEST_SKIP() << g.skip;
  auto case_doc = cases();
  size_t outputs = 0, errors = 0, shared = 0;
  for (const auto& item : g.doc.at("goldens").as_array()) {
    const auto& golden = item.as_object();
    std::string label = std::string(golden.at("template").as_string()) + " / " +
                        std::string(golden.at("conversation").as_string()) +
                        (golden.at("add_generation_prompt").as_bool() ? " +gen" : "") +
                        (golden.at("tools").is_array() ? " +tools" : "");
    SCOPED_TRACE(label);
    auto result = ours(golden, case_doc);
    if (golden.at("shared").as_bool()) ++shared;
    if (const auto* out = golden.if_contains("output")) {
      ++outputs;
      ASSERT_TRUE(result.has_value()) << result.error().message;
      EXPECT_EQ(*result, std::string(out->as_string()));
    } else {
      ++errors;
      std::string expected(golden.at("error").as_string());
      ASSERT_FALSE(result.has_value()) << "reference failed with: " << expected << "\nours rendered: " << *result;
      EXPECT_EQ(result.error().code, hub::Errc::invalid_argument);
      if (is_raise(result.error())) {
        EXPECT_EQ(result.error().message, expected);
      }
    }
  }
  EXPECT_GT(outputs, 100u);
  EXPECT_GT(errors, 0u);
  std::cout << "compared " << outputs << " outputs and " << errors << " errors (" << shared
            << " renders of shared templates)\n";
  if (shared == 0) std::cout << "note: no chat_template found under " << hub::testing::shared_dir() << "\n";
}

TEST(ChatGoldenTest, ReferenceErrorsAreErrors) {
  const auto& g = goldens();
  if (!g.skip.empty()) GTEST_SKIP() << g.skip;
  auto case_doc = cases();
  for (const auto& item : g.doc.at("errors").as_array()) {
    const auto& e = item.as_object();
    SCOPED_TRACE(std::string(e.at("name").as_string()));
    ASSERT_TRUE(e.contains("error")) << "the reference rendered it; cases.json is wrong";
    std::string expected(e.at("error").as_string());
    boost::json::object config = case_doc.at("config").as_object();
    config["chat_template"] = e.at("template");
    auto chat = load_chat_template(config);
    if (!chat) {  // a parse error: ours names where
      EXPECT_EQ(chat.error().code, hub::Errc::invalid_argument);
      EXPECT_NE(chat.error().message.find("line "), std::string::npos) << chat.error().message;
      continue;
    }
    auto result = apply(*chat, case_doc.at("conversations").at("basic").as_array(), {});
    ASSERT_FALSE(result.has_value()) << "reference failed with: " << expected << "\nours rendered: " << *result;
    EXPECT_EQ(result.error().code, hub::Errc::invalid_argument);
    if (is_raise(result.error()) || std::string(e.at("name").as_string()).rfind("raise", 0) == 0) {
      EXPECT_EQ(result.error().message, expected);
    }
  }
}

// Seeded random templates (random_templates.mjs): every output the reference renders we
// render identically; every reference error is ours too, except where the reference
// crashes internally or lacks a Python Jinja filter we support (see README.md).
TEST(ChatGoldenTest, RandomTemplatesMatchReferenceEngine) {
  const auto& g = goldens();
  if (!g.skip.empty()) GTEST_SKIP() << g.skip;
  const auto& context = g.doc.at("random_context").as_object();
  auto tolerated = [](const std::string& ref_error) {
    for (const char* p : {"Cannot read properties of", "is not a function", "Unknown StringValue filter: first",
                          "Unknown StringValue filter: last", "Unknown StringValue filter: reverse",
                          "Unknown StringValue filter: list", "Unknown ObjectValue filter: list",
                          "Unknown ObjectValue filter: string"})
      if (ref_error.find(p) != std::string::npos) return true;
    return false;
  };
  size_t same_output = 0, both_error = 0, tolerated_n = 0;
  for (const auto& item : g.doc.at("random").as_array()) {
    const auto& c = item.as_object();
    std::string source(c.at("template").as_string());
    SCOPED_TRACE(source);
    hub::Result<std::string> result = [&]() -> hub::Result<std::string> {
      auto t = Template::parse(source);
      if (!t) return std::unexpected(t.error());
      return t->render(context);
    }();
    if (const auto* out = c.if_contains("output")) {
      ASSERT_TRUE(result.has_value()) << result.error().message;
      EXPECT_EQ(*result, std::string(out->as_string()));
      ++same_output;
    } else if (!result) {
      ++both_error;
    } else {
      std::string ref_error(c.at("error").as_string());
      EXPECT_TRUE(tolerated(ref_error)) << "reference failed: " << ref_error << "\nours rendered: " << *result;
      ++tolerated_n;
    }
  }
  std::cout << same_output << " identical renders, " << both_error << " errors in both, " << tolerated_n
            << " Python-Jinja extras / reference crashes\n";
  EXPECT_GT(same_output, 300u);
}
