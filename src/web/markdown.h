// Markdown -> HTML for model cards and README files: GitHub-flavoured (tables, strikethrough,
// autolinks, task lists, footnotes) through cmark-gfm in its safe mode: raw HTML blocks and
// inline tags are dropped (replaced by a comment), and link/image URLs with dangerous schemes
// (javascript:, vbscript:, file:, data: other than images) are emptied, so a card can never
// run script in the page. Relative links and images are pointed at the repo's files.
// Thread-safety: reentrant (cmark-gfm's extension registry is set up once under call_once).
#pragma once

#include <string>
#include <string_view>

namespace hub::web {

struct MarkdownLinks {
  std::string blob_base;   // relative links: blob_base + "/" + path (e.g. "/org/m/blob/main")
  std::string raw_base;    // relative images: raw_base + "/" + path (e.g. "/org/m/resolve/main")
};

// Input is capped at max_bytes (the rest is cut, with a note), so a huge README stays cheap.
std::string render_markdown(std::string_view markdown, const MarkdownLinks& links = {},
                            size_t max_bytes = 512 * 1024);

}  // namespace hub::web
