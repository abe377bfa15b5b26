// Robustness: random bytes, every truncation of real templates, deep nesting and random
// token soup must give a parse error or a rendering, never a crash or a hang.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "core/json.h"
#include "inference/chat/template.h"

using namespace hub::inference::chat;
namespace fs = std::filesystem;

namespace {

const fs::path kTemplates = fs::path(HUBD_SOURCE_DIR) / "tests" / "inference" / "chat" / "templates";

boost::json::object context() {
  auto v = hub::json::parse(R"({"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "u"},
    {"role": "assistant", "content": "a", "tool_calls": [{"function": {"name": "f", "arguments": {"x": 1}}}]}],
    "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": true, "tools": null})");
  return v->get_object();
}

RenderLimits small_limits() {
  RenderLimits l;
  l.max_output_bytes = 1 << 20;
  l.max_steps = 200'000;
  return l;
}

// Parse + render; the only acceptable outcomes are a string or an error with a message.
void exercise(std::string_view source) {
  auto t = Template::parse(source);
  if (!t) {
    EXPECT_FALSE(t.error().message.empty());
    return;
  }
  auto r = t->render(context(), small_limits());
  if (!r) {
    EXPECT_FALSE(r.error().message.empty());
  }
}

}  // namespace

TEST(ChatFuzzTest, EveryTruncationOfRealTemplates) {
  size_t n = 0;
  for (const auto& entry : fs::directory_iterator(kTemplates)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    for (size_t cut = 0; cut <= text.size(); ++cut, ++n) exercise(std::string_view(text).substr(0, cut));
  }
  EXPECT_GT(n, 1000u);
}

TEST(ChatFuzzTest, RandomBytesAndTokenSoup) {
  std::mt19937 rng(1234);
  for (int i = 0; i < 3000; ++i) {
    std::string s(size_t(rng() % 64), '\0');
    for (char& c : s) c = char(rng() % 256);
    exercise(s);
  }
  const char* pieces[] = {"{{", "}}", "{%", "%}", "{#", "#}", "-", "+", "if", "for", "in", "endif", "endfor", "x",
                          "messages", "(", ")", "[", "]", "{", "}", ",", ":", "|", "trim", "'s'", "1", "2.5", "~",
                          "is", "not", "none", "set", "=", "macro", "endmacro", "call", "endcall", "loop", ".",
                          "else", "elif", "**", "//", " ", "\n", "namespace", "ns", "tojson", "range"};
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    int len = int(rng() % 24);
    for (int j = 0; j < len; ++j) s += pieces[rng() % std::size(pieces)], s += ' ';
    exercise(s);
  }
}

TEST(ChatFuzzTest, DeepNestingIsAnErrorNotAStackOverflow) {
  for (int depth : {10, 150, 100000}) {
    exercise(std::string(size_t(depth), '(') + "1" + std::string(size_t(depth), ')'));
    exercise("{{ " + std::string(size_t(depth), '[') + std::string(size_t(depth), ']') + " }}");
    exercise("{{ " + std::string(size_t(depth), '(') + "1" + std::string(size_t(depth), ')') + " }}");
    std::string ifs;
    for (int i = 0; i < depth; ++i) ifs += "{% if true %}";
    exercise(ifs);
    exercise("{{ " + [&] { std::string s; for (int i = 0; i < depth; ++i) s += "not "; return s; }() + "x }}");
    exercise("{{ " + [&] { std::string s; for (int i = 0; i < depth; ++i) s += "- "; return s; }() + "1 }}");
    exercise("{{ x" + [&] { std::string s; for (int i = 0; i < depth; ++i) s += " | trim"; return s; }() + " }}");
  }
  auto deep = Template::parse("{{ " + std::string(5000, '(') + "1" + std::string(5000, ')') + " }}");
  ASSERT_FALSE(deep.has_value());
  EXPECT_NE(deep.error().message.find("nested too deeply"), std::string::npos);
}
