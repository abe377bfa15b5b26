#include "web/highlight.h"

#include <gtest/gtest.h>

namespace hub::web {
namespace {

bool has(const std::string& s, std::string_view x) { return s.find(x) != std::string::npos; }

TEST(Highlight, LanguageByName) {
  EXPECT_EQ(language_of("src/model.py"), "python");
  EXPECT_EQ(language_of("config.json"), "json");
  EXPECT_EQ(language_of("a/b.yaml"), "yaml");
  EXPECT_EQ(language_of("README.md"), "markdown");
  EXPECT_EQ(language_of("x.cpp"), "c");
  EXPECT_EQ(language_of("weights.bin"), "text");
}

TEST(Highlight, MarksTokensAndNumbersLines) {
  size_t n = 0;
  auto html = highlight_lines("def f():\n    return \"s\" # c\n", "python", &n);
  EXPECT_EQ(n, 2u);
  EXPECT_TRUE(has(html, "<span class=\"hl-kw\">def</span>"));
  EXPECT_TRUE(has(html, "<span class=\"hl-s\">&quot;s&quot;</span>"));
  EXPECT_TRUE(has(html, "<span class=\"hl-c\"># c</span>"));
  EXPECT_TRUE(has(html, "id=\"L2\""));
  EXPECT_FALSE(has(html, "id=\"L3\""));
}

TEST(Highlight, JsonKeysAndEscaping) {
  auto html = highlight_lines("{\"<k>\": 1.5, \"v\": \"</td><script>\"}", "json");
  EXPECT_TRUE(has(html, "<span class=\"hl-k\">&quot;&lt;k&gt;&quot;</span>"));
  EXPECT_TRUE(has(html, "<span class=\"hl-n\">1.5</span>"));
  EXPECT_FALSE(has(html, "<script>"));
  EXPECT_FALSE(has(html, "</td><script"));
}

TEST(Highlight, MultiLineTokensReopenPerRow) {
  size_t n = 0;
  auto html = highlight_lines("/* a\nb */ int x;", "c", &n);
  EXPECT_EQ(n, 2u);
  EXPECT_TRUE(has(html, "<span class=\"hl-c\">/* a</span>"));
  EXPECT_TRUE(has(html, "<span class=\"hl-c\">b */</span>"));
}

TEST(Highlight, UnterminatedThingsEndAtTheInput) {
  for (const char* lang : {"python", "javascript", "c", "json", "yaml", "toml", "markdown", "shell", "text"}) {
    size_t n = 0;
    auto html = highlight_lines("\"abc\n'''\n/* x", lang, &n);
    EXPECT_EQ(n, 3u) << lang;
    EXPECT_FALSE(has(html, "<script")) << lang;
  }
}

}  // namespace
}  // namespace hub::web
