// Byte encodings every layer needs: the UTF-8 bytes of one code point, and HTML escaping of
// text placed in markup. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace hub {

// Appends cp's UTF-8 bytes (1-4). The caller passes a valid scalar value; anything up to
// 0x1FFFFF is encoded as-is (no replacement), as the tokenizers and the chat engine expect.
void append_utf8(std::string& out, char32_t cp);

// Escapes & < > " ' so the text is inert inside HTML elements and quoted attributes.
void html_escape_to(std::string& out, std::string_view s);
std::string html_escape(std::string_view s);

}  // namespace hub
