#include "web/highlight.h"

#include <array>
#include <vector>

#include "web/template.h"

namespace hub::web {

namespace {

struct Token {
  const char* cls;  // nullptr: plain
  std::string_view text;
};

struct Lang {
  std::vector<std::string_view> line_comments;
  std::string_view block_open, block_close;
  std::string_view quotes;
  bool triple_quotes = false;  // Python's """ and '''
  std::vector<std::string_view> keywords;
  bool keys = false;           // JSON/YAML/TOML: a word or string before ':' / '=' is a key
};

const Lang& lang_def(std::string_view name) {
  static const Lang python{{"#"}, {}, {}, "'\"", true,
                           {"def", "class", "return", "if", "elif", "else", "for", "while", "in", "import", "from",
                            "as", "with", "try", "except", "finally", "raise", "None", "True", "False", "and", "or",
                            "not", "lambda", "yield", "pass", "break", "continue", "is", "async", "await", "self"}};
  static const Lang javascript{{"//"}, "/*", "*/", "'\"`", false,
                               {"function", "const", "let", "var", "return", "if", "else", "for", "while", "import",
                                "export", "from", "class", "new", "this", "null", "undefined", "true", "false",
                                "async", "await", "try", "catch", "throw", "typeof", "interface", "type"}};
  static const Lang c{{"//"}, "/*", "*/", "'\"", false,
                      {"int", "char", "float", "double", "void", "return", "if", "else", "for", "while", "struct",
                       "class", "const", "static", "include", "define", "namespace", "using", "auto", "fn", "let",
                       "mut", "pub", "impl", "func", "package", "import", "true", "false", "nullptr", "NULL"}};
  static const Lang shell{{"#"}, {}, {}, "'\"", false,
                          {"if", "then", "else", "fi", "for", "do", "done", "while", "case", "esac", "export",
                           "function", "return", "local", "echo"}};
  static const Lang json_l{{}, {}, {}, "\"", false, {"true", "false", "null"}, true};
  static const Lang yaml{{"#"}, {}, {}, "'\"", false, {"true", "false", "null", "yes", "no"}, true};
  static const Lang toml{{"#", ";"}, {}, {}, "'\"", false, {"true", "false"}, true};
  static const Lang text{};
  if (name == "python") return python;
  if (name == "javascript") return javascript;
  if (name == "c") return c;
  if (name == "shell") return shell;
  if (name == "json") return json_l;
  if (name == "yaml") return yaml;
  if (name == "toml") return toml;
  return text;
}

bool is_word(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
         (unsigned char)ch >= 0x80;
}
bool is_digit(char ch) { return ch >= '0' && ch <= '9'; }

// What follows position i (skipping spaces) on the same line.
char next_non_space(std::string_view s, size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return i < s.size() ? s[i] : '\n';
}

std::vector<Token> tokenize(std::string_view s, const Lang& L) {
  std::vector<Token> out;
  size_t i = 0, plain = 0;
  bool line_start = true;
  auto flush = [&](size_t upto) {
    if (upto > plain) out.push_back({nullptr, s.substr(plain, upto - plain)});
  };
  auto emit = [&](const char* cls, size_t from, size_t to) {
    flush(from);
    out.push_back({cls, s.substr(from, to - from)});
    plain = to;
  };
  while (i < s.size()) {
    char ch = s[i];
    if (ch == '\n') {
      ++i;
      line_start = true;
      continue;
    }
    bool at_start = line_start;
    if (ch != ' ' && ch != '\t') line_start = false;
    bool done = false;
    for (auto lc : L.line_comments) {
      if (s.substr(i, lc.size()) == lc && (at_start || lc != ";")) {
        size_t end = s.find('\n', i);
        if (end == std::string_view::npos) end = s.size();
        emit("c", i, end);
        i = end;
        done = true;
        break;
      }
    }
    if (done) continue;
    if (!L.block_open.empty() && s.substr(i, L.block_open.size()) == L.block_open) {
      size_t end = s.find(L.block_close, i + L.block_open.size());
      end = end == std::string_view::npos ? s.size() : end + L.block_close.size();
      emit("c", i, end);
      i = end;
      continue;
    }
    if (L.quotes.find(ch) != std::string_view::npos) {
      size_t end;
      if (L.triple_quotes && s.substr(i, 3) == std::string(3, ch)) {
        end = s.find(std::string(3, ch), i + 3);
        end = end == std::string_view::npos ? s.size() : end + 3;
      } else {
        end = i + 1;
        // Strings end at their quote or, except for template literals, at the end of the line.
        while (end < s.size() && s[end] != ch && (s[end] != '\n' || ch == '`')) end += s[end] == '\\' ? 2 : 1;
        end = std::min(end + 1, s.size());
      }
      bool key = L.keys && next_non_space(s, end) == ':';
      emit(key ? "k" : "s", i, end);
      i = end;
      continue;
    }
    if (is_digit(ch) && (i == 0 || !is_word(s[i - 1]))) {
      size_t end = i;
      while (end < s.size() && (is_word(s[end]) || s[end] == '.')) ++end;
      emit("n", i, end);
      i = end;
      continue;
    }
    if (is_word(ch) && (i == 0 || !is_word(s[i - 1]))) {
      size_t end = i;
      while (end < s.size() && (is_word(s[end]) || (L.keys && s[end] == '-'))) ++end;
      std::string_view w = s.substr(i, end - i);
      char after = next_non_space(s, end);
      if (L.keys && at_start && (after == ':' || (after == '=' && &L == &lang_def("toml")))) {
        emit("k", i, end);
      } else {
        bool kw = false;
        for (auto k : L.keywords) kw |= k == w;
        if (kw) emit("kw", i, end);
      }
      i = end;
      continue;
    }
    ++i;
  }
  flush(s.size());
  return out;
}

// Markdown: headings, fenced code and inline code; the rest plain.
std::vector<Token> tokenize_markdown(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  bool in_fence = false;
  while (i < s.size()) {
    size_t end = s.find('\n', i);
    end = end == std::string_view::npos ? s.size() : end + 1;
    std::string_view line = s.substr(i, end - i);
    if (line.starts_with("```") || line.starts_with("~~~")) {
      out.push_back({"c", line});
      in_fence = !in_fence;
    } else if (in_fence) {
      out.push_back({"s", line});
    } else if (line.starts_with("#")) {
      out.push_back({"kw", line});
    } else if (line.starts_with("---")) {
      out.push_back({"c", line});
    } else {
      out.push_back({nullptr, line});
    }
    i = end;
  }
  return out;
}

}  // namespace

std::string_view language_of(std::string_view path) {
  size_t slash = path.rfind('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  size_t dot = name.rfind('.');
  std::string_view ext = dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
  if (ext == "py" || ext == "pyi") return "python";
  if (ext == "js" || ext == "mjs" || ext == "cjs" || ext == "ts" || ext == "tsx" || ext == "jsx") return "javascript";
  if (ext == "c" || ext == "h" || ext == "cc" || ext == "cpp" || ext == "hpp" || ext == "cu" || ext == "rs" ||
      ext == "go" || ext == "java" || ext == "swift" || ext == "kt")
    return "c";
  if (ext == "sh" || ext == "bash" || name == "Dockerfile" || name == "Makefile") return "shell";
  if (ext == "json" || ext == "jsonl" || ext == "ipynb") return "json";
  if (ext == "yaml" || ext == "yml") return "yaml";
  if (ext == "toml" || ext == "ini" || ext == "cfg" || name == ".gitattributes") return "toml";
  if (ext == "md" || ext == "markdown") return "markdown";
  return "text";
}

std::string highlight_lines(std::string_view code, std::string_view language, size_t* line_count) {
  std::vector<Token> tokens = language == "markdown" ? tokenize_markdown(code) : tokenize(code, lang_def(language));
  std::string out;
  out.reserve(code.size() * 2 + 64);
  size_t line = 1;
  auto open_row = [&] {
    std::string n = std::to_string(line);
    out += "<tr><td class=\"ln\" id=\"L" + n + "\"><a href=\"#L" + n + "\">" + n + "</a></td><td class=\"lc\">";
  };
  open_row();
  for (const Token& t : tokens) {
    std::string_view rest = t.text;
    // A token may span lines (block comments, fences): close and reopen its span per row.
    while (true) {
      size_t nl = rest.find('\n');
      std::string_view part = rest.substr(0, nl);
      if (!part.empty()) {
        if (t.cls) out += std::string("<span class=\"hl-") + t.cls + "\">";
        html_escape_to(out, part);
        if (t.cls) out += "</span>";
      }
      if (nl == std::string_view::npos) break;
      out += "</td></tr>\n";
      ++line;
      open_row();
      rest = rest.substr(nl + 1);
    }
  }
  out += "</td></tr>\n";
  // A final newline leaves an empty last row: drop it, as editors do.
  if (code.ends_with('\n')) {
    std::string n = std::to_string(line);
    std::string empty_row = "<tr><td class=\"ln\" id=\"L" + n + "\"><a href=\"#L" + n + "\">" + n +
                            "</a></td><td class=\"lc\"></td></tr>\n";
    if (out.ends_with(empty_row)) {
      out.resize(out.size() - empty_row.size());
      --line;
    }
  }
  if (line_count) *line_count = line;
  return out;
}

}  // namespace hub::web
