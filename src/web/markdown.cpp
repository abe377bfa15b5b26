#include "web/markdown.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>

#include <cstdlib>
#include <memory>
#include <mutex>

namespace hub::web {

namespace {

std::once_flag g_registered;

// Relative means: not absolute (no scheme), not protocol-relative, not root-relative, not an anchor.
bool is_relative(std::string_view url) {
  if (url.empty() || url[0] == '#' || url[0] == '/' || url[0] == '?') return false;
  for (char c : url) {
    if (c == ':') return false;  // a scheme (or something we should not touch)
    if (c == '/' || c == '?' || c == '#') break;
  }
  return true;
}

std::string join(std::string_view base, std::string_view rel) {
  while (rel.starts_with("./")) rel.remove_prefix(2);
  return std::string(base) + "/" + std::string(rel);
}

void rewrite_links(cmark_node* doc, const MarkdownLinks& links) {
  if (links.blob_base.empty() && links.raw_base.empty()) return;
  cmark_iter* it = cmark_iter_new(doc);
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    if (ev != CMARK_EVENT_ENTER) continue;
    cmark_node* node = cmark_iter_get_node(it);
    auto type = cmark_node_get_type(node);
    if (type != CMARK_NODE_LINK && type != CMARK_NODE_IMAGE) continue;
    const char* url = cmark_node_get_url(node);
    if (!url || !is_relative(url)) continue;
    const std::string& base = type == CMARK_NODE_IMAGE ? links.raw_base : links.blob_base;
    if (base.empty()) continue;
    cmark_node_set_url(node, join(base, url).c_str());
  }
  cmark_iter_free(it);
}

}  // namespace

std::string render_markdown(std::string_view markdown, const MarkdownLinks& links, size_t max_bytes) {
  std::call_once(g_registered, [] { cmark_gfm_core_extensions_ensure_registered(); });
  bool cut = markdown.size() > max_bytes;
  if (cut) markdown = markdown.substr(0, max_bytes);
  // CMARK_OPT_DEFAULT is the safe mode (no CMARK_OPT_UNSAFE): raw HTML and unsafe URLs are dropped.
  int opts = CMARK_OPT_DEFAULT | CMARK_OPT_FOOTNOTES | CMARK_OPT_GITHUB_PRE_LANG | CMARK_OPT_VALIDATE_UTF8;
  std::unique_ptr<cmark_parser, decltype(&cmark_parser_free)> parser(cmark_parser_new(opts), cmark_parser_free);
  // tagfilter is harmless belt-and-braces: safe mode already drops raw HTML.
  for (const char* name : {"table", "strikethrough", "autolink", "tasklist", "tagfilter"})
    if (cmark_syntax_extension* ext = cmark_find_syntax_extension(name))
      cmark_parser_attach_syntax_extension(parser.get(), ext);
  cmark_parser_feed(parser.get(), markdown.data(), markdown.size());
  std::unique_ptr<cmark_node, decltype(&cmark_node_free)> doc(cmark_parser_finish(parser.get()), cmark_node_free);
  rewrite_links(doc.get(), links);
  char* html = cmark_render_html(doc.get(), opts, cmark_parser_get_syntax_extensions(parser.get()));
  std::string out(html ? html : "");
  std::free(html);
  if (cut) out += "<p><em>(README truncated for display)</em></p>\n";
  return out;
}

}  // namespace hub::web
