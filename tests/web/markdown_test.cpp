#include "web/markdown.h"

#include <gtest/gtest.h>

namespace hub::web {
namespace {

bool has(const std::string& s, std::string_view x) { return s.find(x) != std::string::npos; }

TEST(Markdown, RendersGithubFlavour) {
  auto html = render_markdown("# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~ https://example.com\n\n- [x] done\n\n```python\nx = 1\n```\n");
  EXPECT_TRUE(has(html, "<h1>Title</h1>"));
  EXPECT_TRUE(has(html, "<table>"));
  EXPECT_TRUE(has(html, "<td>1</td>"));
  EXPECT_TRUE(has(html, "<del>gone</del>"));
  EXPECT_TRUE(has(html, "<a href=\"https://example.com\">"));
  EXPECT_TRUE(has(html, "checked"));
  EXPECT_TRUE(has(html, "lang=\"python\""));
}

TEST(Markdown, RawHtmlNeverPassesThrough) {
  auto html = render_markdown(
      "<script>alert(1)</script>\n\nHello <img src=x onerror=alert(1)> <b onclick=\"x()\">b</b>\n\n"
      "<iframe src=\"https://evil\"></iframe>\n\n<style>body{display:none}</style>\n");
  EXPECT_FALSE(has(html, "<script"));
  EXPECT_FALSE(has(html, "<img"));
  EXPECT_FALSE(has(html, "onerror"));
  EXPECT_FALSE(has(html, "onclick"));
  EXPECT_FALSE(has(html, "<iframe"));
  EXPECT_FALSE(has(html, "<style"));
  EXPECT_TRUE(has(html, "Hello"));
}

TEST(Markdown, DangerousUrlsAreDropped) {
  auto html = render_markdown("[a](javascript:alert(1)) [b](JAVASCRIPT:alert(1)) [c](vbscript:x) [d](data:text/html,<script>)\n\n![i](javascript:alert(1))\n");
  EXPECT_FALSE(has(html, "javascript:"));
  EXPECT_FALSE(has(html, "JAVASCRIPT:"));
  EXPECT_FALSE(has(html, "vbscript:"));
  EXPECT_FALSE(has(html, "data:text/html"));
}

TEST(Markdown, TextIsEscaped) {
  auto html = render_markdown("`<b>` and 5 < 6 & \"q\"\n");
  EXPECT_TRUE(has(html, "<code>&lt;b&gt;</code>"));
  EXPECT_TRUE(has(html, "5 &lt; 6 &amp;"));
}

TEST(Markdown, RelativeLinksPointIntoTheRepo) {
  MarkdownLinks links{"/org/m/blob/main", "/org/m/resolve/main"};
  auto html = render_markdown("[cfg](config.json) [abs](https://x.org/a) [top](#usage) [root](/other)\n\n![pic](./img/a.png)\n", links);
  EXPECT_TRUE(has(html, "href=\"/org/m/blob/main/config.json\""));
  EXPECT_TRUE(has(html, "href=\"https://x.org/a\""));
  EXPECT_TRUE(has(html, "href=\"#usage\""));
  EXPECT_TRUE(has(html, "href=\"/other\""));
  EXPECT_TRUE(has(html, "src=\"/org/m/resolve/main/img/a.png\""));
}

TEST(Markdown, HugeInputIsCut) {
  std::string big(600 * 1024, 'a');
  auto html = render_markdown(big, {}, 1024);
  EXPECT_LT(html.size(), 4096u);
  EXPECT_TRUE(has(html, "truncated"));
}

}  // namespace
}  // namespace hub::web
