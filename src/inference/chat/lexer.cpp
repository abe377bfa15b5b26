#include "inference/chat/lexer.h"

#include <cctype>
#include <stdexcept>

#include "inference/chat/value.h"

namespace hub::inference::chat {
namespace {

struct LexError : std::runtime_error {
  size_t pos;
  LexError(const std::string& m, size_t p) : std::runtime_error(m), pos(p) {}
};

// The preprocessed text with, per byte, the offset it came from in the original.
struct Source {
  std::string text;
  std::vector<size_t> origin;
  void add(char c, size_t from) {
    text += c;
    origin.push_back(from);
  }
};

bool is_tag_open(std::string_view s, size_t i, const char* seconds) {
  return i + 1 < s.size() && s[i] == '{' && std::string_view(seconds).find(s[i + 1]) != std::string_view::npos;
}

// lstrip_blocks: spaces/tabs at the start of a line before `{%`, `{#` or `{-` go.
// trim_blocks: one newline right after `%}`, `#}` or `-}` goes (applied to the result).
Source preprocess(std::string_view src) {
  if (!src.empty() && src.back() == '\n') src.remove_suffix(1);
  Source a;
  for (size_t i = 0; i < src.size();) {
    // JavaScript's multiline `^`: after \n, \r, U+2028 or U+2029.
    bool line_start = i == 0 || src[i - 1] == '\n' || src[i - 1] == '\r' ||
                      (i >= 3 && src.substr(i - 3, 2) == "\xE2\x80" && (src[i - 1] == '\xA8' || src[i - 1] == '\xA9'));
    if (line_start) {
      size_t j = i;
      while (j < src.size() && (src[j] == ' ' || src[j] == '\t')) ++j;
      if (j > i && is_tag_open(src, j, "#%-")) i = j;
    }
    a.add(src[i], i);
    ++i;
  }
  Source b;
  for (size_t i = 0; i < a.text.size(); ++i) {
    b.add(a.text[i], a.origin[i]);
    if (i >= 1 && a.text[i] == '}' && std::string_view("#%-").find(a.text[i - 1]) != std::string_view::npos &&
        i + 1 < a.text.size() && a.text[i + 1] == '\n')
      ++i;
  }
  // {% generation %} / {% endgeneration %}: drop the tag; `-` also drops the whitespace
  // around it (the regex also takes the whitespace before the tag into the match).
  Source c;
  std::string_view t = b.text;
  for (size_t i = 0; i < t.size();) {
    size_t ws_end = i;
    while (size_t n = js_space_len(t, ws_end)) ws_end += n;
    size_t j = ws_end;
    bool matched = false;
    if (j + 1 < t.size() && t[j] == '{' && t[j + 1] == '%') {
      size_t k = j + 2;
      bool lstrip = k < t.size() && t[k] == '-';
      if (lstrip) ++k;
      while (size_t n = js_space_len(t, k)) k += n;
      if (t.substr(k, 3) == "end") k += 3;
      if (t.substr(k, 10) == "generation") {
        k += 10;
        while (size_t n = js_space_len(t, k)) k += n;
        bool rstrip = k < t.size() && t[k] == '-';
        if (rstrip) ++k;
        if (t.substr(k, 2) == "%}") {
          k += 2;
          size_t after = k;
          while (size_t n = js_space_len(t, after)) after += n;
          if (!lstrip)
            for (size_t x = i; x < ws_end; ++x) c.add(t[x], b.origin[x]);
          if (!rstrip)
            for (size_t x = k; x < after; ++x) c.add(t[x], b.origin[x]);
          i = after;
          matched = true;
        }
      }
    }
    if (!matched) {
      size_t stop = ws_end > i ? ws_end : i + 1;
      for (size_t x = i; x < stop; ++x) c.add(t[x], b.origin[x]);
      i = stop;
    }
  }
  return c;
}

bool is_word(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

struct Lexer {
  const Source& src;
  const std::string& s;
  size_t cur = 0;
  size_t curly = 0;
  std::vector<Token> tokens;

  explicit Lexer(const Source& in) : src(in), s(in.text) {}

  size_t orig(size_t p) const {
    if (src.origin.empty()) return 0;
    return p < src.origin.size() ? src.origin[p] : src.origin.back() + 1;
  }
  [[noreturn]] void error(const std::string& m) { throw LexError(m, orig(cur)); }
  void push(Tok t, std::string v, size_t at) { tokens.push_back(Token{t, std::move(v), orig(at)}); }

  // The reference consumes while a predicate holds, decoding escapes, and fails when the
  // input ends inside (an unterminated string or a tag cut short).
  template <class Pred>
  std::string consume_while(Pred pred, bool fail_at_end = false) {
    std::string out;
    while (cur < s.size() && pred(cur)) {
      if (s[cur] == '\\') {
        ++cur;
        if (cur >= s.size()) error("Unexpected end of input");
        char e = s[cur++];
        if (e == 'x' || e == 'u') {
          size_t len = e == 'x' ? 2 : 4;
          std::string hex = s.substr(cur, len);
          bool ok = hex.size() == len;
          for (char h : hex) ok = ok && std::isxdigit(static_cast<unsigned char>(h));
          if (!ok) error("Invalid hexadecimal escape sequence: \\" + std::string(1, e) + hex);
          append_utf8(out, uint32_t(std::stoul(hex, nullptr, 16)));
          cur += len;
          continue;
        }
        const char* from = "ntrbfv'\"\\";
        const char* to = "\n\t\r\b\f\v'\"\\";
        const char* hit = std::char_traits<char>::find(from, 9, e);
        if (!hit) error(std::string("Unexpected escaped character: ") + e);
        out += to[hit - from];
        continue;
      }
      out += s[cur++];
      if (cur >= s.size()) error("Unexpected end of input");
    }
    if (fail_at_end && cur >= s.size()) error("Unexpected end of input");
    return out;
  }

  void strip_trailing_text() {
    if (!tokens.empty() && tokens.back().type == Tok::text) {
      tokens.back().value = js_trim(tokens.back().value, false, true);
      if (tokens.back().value.empty()) tokens.pop_back();
    }
  }
  void skip_whitespace() {
    while (size_t n = js_space_len(s, cur)) cur += n;
  }
  bool at(std::string_view seq) const { return s.compare(cur, seq.size(), seq) == 0; }

  void run() {
    static const std::pair<std::string_view, Tok> table[] = {
        {"{%", Tok::open_stmt}, {"%}", Tok::close_stmt}, {"{{", Tok::open_expr},
        {"}}", Tok::close_expr}, {"(", Tok::lparen}, {")", Tok::rparen}, {"{", Tok::lbrace},
        {"}", Tok::rbrace}, {"[", Tok::lbracket}, {"]", Tok::rbracket}, {",", Tok::comma},
        {".", Tok::dot}, {":", Tok::colon}, {"|", Tok::pipe}, {"<=", Tok::comparison},
        {">=", Tok::comparison}, {"==", Tok::comparison}, {"!=", Tok::comparison},
        {"<", Tok::comparison}, {">", Tok::comparison}, {"+", Tok::additive},
        {"-", Tok::additive}, {"~", Tok::additive}, {"**", Tok::power},
        {"*", Tok::multiplicative}, {"//", Tok::multiplicative}, {"/", Tok::multiplicative},
        {"%", Tok::multiplicative}, {"=", Tok::equals},
    };
    while (cur < s.size()) {
      Tok last = tokens.empty() ? Tok::text : tokens.back().type;
      if (tokens.empty() || last == Tok::close_stmt || last == Tok::close_expr || last == Tok::comment) {
        size_t start = cur;
        while (cur < s.size() && !is_tag_open(s, cur, "%{#")) ++cur;
        if (cur > start) {
          push(Tok::text, s.substr(start, cur - start), start);
          continue;
        }
      }
      if (at("{#")) {
        size_t start = cur;
        cur += 2;
        bool strip_before = cur < s.size() && s[cur] == '-';
        if (strip_before) ++cur;
        std::string comment;
        while (!(cur + 1 < s.size() && s[cur] == '#' && s[cur + 1] == '}')) {
          if (cur + 2 >= s.size()) error("Missing end of comment tag");
          comment += s[cur++];
        }
        bool strip_after = !comment.empty() && comment.back() == '-';
        if (strip_after) comment.pop_back();
        if (strip_before) strip_trailing_text();
        push(Tok::comment, std::move(comment), start);
        cur += 2;
        if (strip_after) skip_whitespace();
        continue;
      }
      if (at("{%-") || at("{{-")) {
        strip_trailing_text();
        bool stmt = s[cur + 1] == '%';
        push(stmt ? Tok::open_stmt : Tok::open_expr, stmt ? "{%" : "{{", cur);
        if (!stmt) curly = 0;
        cur += 3;
        continue;
      }
      consume_while([&](size_t p) { return js_space_len(s, p) > 0; });
      if (at("-%}") || at("-}}")) {
        bool stmt = s[cur + 1] == '%';
        push(stmt ? Tok::close_stmt : Tok::close_expr, stmt ? "%}" : "}}", cur);
        cur += 3;
        skip_whitespace();
        continue;
      }
      char c = s[cur];
      if (c == '-' || c == '+') {
        if (tokens.empty() || last == Tok::text) error(std::string("Unexpected character: ") + c);
        bool binary = last == Tok::ident || last == Tok::number || last == Tok::string ||
                      last == Tok::rparen || last == Tok::rbracket;
        if (!binary) {
          size_t start = cur++;
          std::string num = consume_while([&](size_t p) { return is_digit(s[p]); });
          if (!num.empty() && cur + 1 < s.size() && s[cur] == '.' && is_digit(s[cur + 1])) {
            ++cur;
            num += "." + consume_while([&](size_t p) { return is_digit(s[p]); });
          }
          push(num.empty() ? Tok::unary : Tok::number, std::string(1, c) + num, start);
          continue;
        }
      }
      bool matched = false;
      for (const auto& [seq, type] : table) {
        if (seq == "}}" && curly > 0) continue;
        if (!at(seq)) continue;
        push(type, std::string(seq), cur);
        if (type == Tok::open_expr) curly = 0;
        if (type == Tok::lbrace) ++curly;
        if (type == Tok::rbrace && curly > 0) --curly;
        cur += seq.size();
        matched = true;
        break;
      }
      if (matched) continue;
      if (c == '\'' || c == '"') {
        size_t start = cur++;
        std::string str = consume_while([&](size_t p) { return s[p] != c; }, true);
        ++cur;
        push(Tok::string, std::move(str), start);
        continue;
      }
      if (is_digit(c)) {
        size_t start = cur;
        std::string num = consume_while([&](size_t p) { return is_digit(s[p]); });
        if (!(tokens.size() && tokens.back().type == Tok::dot) && cur + 1 < s.size() && s[cur] == '.' &&
            is_digit(s[cur + 1])) {
          ++cur;
          num += "." + consume_while([&](size_t p) { return is_digit(s[p]); });
        }
        push(Tok::number, std::move(num), start);
        continue;
      }
      if (is_word(c)) {
        size_t start = cur;
        push(Tok::ident, consume_while([&](size_t p) { return is_word(s[p]); }), start);
        continue;
      }
      error(std::string("Unexpected character: ") + c);
    }
  }
};

}  // namespace

std::string describe_position(std::string_view source, size_t pos) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < pos && i < source.size(); ++i) {
    if (source[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(col);
}

Result<std::vector<Token>> tokenize(std::string_view source) {
  Source pre = preprocess(source);
  Lexer lx(pre);
  try {
    lx.run();
  } catch (const LexError& e) {
    return fail(Errc::invalid_argument,
                "template syntax error at " + describe_position(source, e.pos) + ": " + e.what());
  }
  return std::move(lx.tokens);
}

}  // namespace hub::inference::chat
