// A small server-side syntax highlighter for the file view: strings, comments, numbers,
// keywords and keys for Python, JavaScript/TypeScript, C/C++/Rust/Go/Java, shell, JSON, YAML,
// TOML/INI and Markdown headings/code. A single left-to-right scan, O(n), no regexes; anything
// it does not understand stays plain text, so it can never break a page. Output is escaped HTML,
// one table row per line with its number. Pure functions: thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hub::web {

// "python", "javascript", "c", "shell", "json", "yaml", "toml", "markdown" or "text", by file name.
std::string_view language_of(std::string_view path);

// <tr><td class="ln" id="L{n}"><a href="#L{n}">{n}</a></td><td class="lc">{html}</td></tr> per line.
std::string highlight_lines(std::string_view code, std::string_view language, size_t* line_count = nullptr);

}  // namespace hub::web
