// The embedded templates all compile and the static assets carry content hashes.
#include "web/assets.h"

#include <gtest/gtest.h>

namespace hub::web {
namespace {

TEST(Assets, TemplatesCompileAndAssetsAreHashed) {
  auto a = Assets::load();
  ASSERT_TRUE(a.has_value()) << a.error().message;
  for (const char* name : {"head", "foot", "repo", "tree", "blob", "commits", "commit", "explore", "login", "join",
                           "tokens", "new", "settings", "upload", "profile", "metrics", "error", "home"})
    EXPECT_NE((*a)->templates().find(name), nullptr) << name;
  const StaticAsset* css = (*a)->find("site.css");
  ASSERT_NE(css, nullptr);
  EXPECT_EQ(css->hash.size(), 16u);
  EXPECT_EQ(css->url, "/static/" + css->hash + "/site.css");
  EXPECT_EQ(css->content_type, "text/css; charset=utf-8");
  EXPECT_TRUE((*a)->urls().contains("site_css"));
  EXPECT_TRUE((*a)->urls().contains("widget_js"));
}

TEST(Assets, ErrorPageEscapesItsMessage) {
  auto a = Assets::load();
  ASSERT_TRUE(a.has_value());
  auto html = (*a)->templates().render("error", json::object{{"status", 404}, {"message", "<script>x</script>"}});
  ASSERT_TRUE(html.has_value());
  EXPECT_EQ(html->find("<script>x"), std::string::npos);
  EXPECT_NE(html->find("&lt;script&gt;x"), std::string::npos);
}

}  // namespace
}  // namespace hub::web
