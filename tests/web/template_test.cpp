#include "web/template.h"

#include <gtest/gtest.h>

namespace hub::web {
namespace {

std::string render(std::string_view tmpl, const json::value& ctx, const TemplateSet* partials = nullptr) {
  auto t = Template::compile(tmpl);
  EXPECT_TRUE(t.has_value()) << (t ? "" : t.error().message);
  return t ? t->render(ctx, partials) : std::string();
}

TEST(Template, EscapesVariablesByDefault) {
  json::object ctx{{"x", "<script>alert('x')</script> & \"q\""}};
  EXPECT_EQ(render("{{x}}", ctx), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
  EXPECT_EQ(render("<a title=\"{{x}}\">", json::object{{"x", "\" onmouseover=\"evil"}}),
            "<a title=\"&quot; onmouseover=&quot;evil\">");
}

TEST(Template, RawOnlyWithTripleOrAmpersand) {
  json::object ctx{{"h", "<b>ok</b>"}};
  EXPECT_EQ(render("{{{h}}}|{{& h}}|{{h}}", ctx), "<b>ok</b>|<b>ok</b>|&lt;b&gt;ok&lt;/b&gt;");
}

TEST(Template, SectionsIterateArraysAndPushObjects) {
  json::object ctx{{"items", json::array{json::object{{"n", 1}}, json::object{{"n", 2}}}},
                   {"user", json::object{{"name", "ann"}}},
                   {"outer", "O"}};
  EXPECT_EQ(render("{{#items}}[{{n}}{{outer}}]{{/items}}", ctx), "[1O][2O]");
  EXPECT_EQ(render("{{#user}}{{name}}{{/user}}", ctx), "ann");
  EXPECT_EQ(render("{{user.name}}", ctx), "ann");
  EXPECT_EQ(render("{{items.1.n}}", ctx), "2");
}

TEST(Template, FalsyValuesAndInverted) {
  json::object ctx{{"f", false}, {"zero", 0}, {"empty", ""}, {"none", json::array{}}, {"t", true}};
  EXPECT_EQ(render("{{#f}}a{{/f}}{{#zero}}b{{/zero}}{{#empty}}c{{/empty}}{{#none}}d{{/none}}{{#missing}}e{{/missing}}", ctx), "");
  EXPECT_EQ(render("{{^f}}a{{/f}}{{^none}}b{{/none}}{{^missing}}c{{/missing}}{{^t}}x{{/t}}", ctx), "abc");
}

TEST(Template, DotIsTheCurrentValue) {
  json::object ctx{{"xs", json::array{"a<", "b"}}};
  EXPECT_EQ(render("{{#xs}}{{.}},{{/xs}}", ctx), "a&lt;,b,");
}

TEST(Template, CommentsAndNumbers) {
  EXPECT_EQ(render("a{{! ignored }}b{{n}}{{d}}", json::object{{"n", 42}, {"d", 0.5}}), "ab420.5");
}

TEST(Template, PartialsSeeTheScopeChainAndStopRecursing) {
  TemplateSet set;
  ASSERT_TRUE(set.add("item", "<{{name}}:{{site}}>").has_value());
  ASSERT_TRUE(set.add("page", "{{#items}}{{>item}}{{/items}}").has_value());
  ASSERT_TRUE(set.add("loop", "x{{>loop}}").has_value());
  json::object ctx{{"site", "S"}, {"items", json::array{json::object{{"name", "a"}}}}};
  EXPECT_EQ(*set.render("page", ctx), "<a:S>");
  auto looped = set.render("loop", ctx);
  ASSERT_TRUE(looped.has_value());
  EXPECT_EQ(looped->size(), 17u);  // 16 levels of nesting, then the partial renders empty
  EXPECT_FALSE(set.render("nope", ctx).has_value());
}

TEST(Template, CompileErrorsNameTheLine) {
  auto unclosed = Template::compile("a\n{{#s}}b", "t.html");
  ASSERT_FALSE(unclosed.has_value());
  EXPECT_NE(unclosed.error().message.find("never closed"), std::string::npos);
  auto stray = Template::compile("a\nb\n{{/s}}", "t.html");
  ASSERT_FALSE(stray.has_value());
  EXPECT_NE(stray.error().message.find("t.html:3"), std::string::npos);
  EXPECT_FALSE(Template::compile("{{#a}}{{/b}}").has_value());
  EXPECT_FALSE(Template::compile("{{x").has_value());
  EXPECT_FALSE(Template::compile("{{}}").has_value());
}

}  // namespace
}  // namespace hub::web
