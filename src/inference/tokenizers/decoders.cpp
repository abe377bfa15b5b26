// Decoders of tokenizer.json: WordPiece, ByteLevel, Metaspace, Replace, ByteFallback, Fuse,
// Strip, BPEDecoder, Sequence. Upstream: tokenizers/src/decoders/.
#include "inference/tokenizers/byte_level.h"
#include "inference/tokenizers/components.h"

namespace hub::inference::tokenizers {

namespace {

// String::from_utf8_lossy: each maximal invalid subpart becomes one U+FFFD.
std::string utf8_lossy(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    unsigned char b = p[i];
    if (b < 0x80) {
      out.push_back(static_cast<char>(b));
      ++i;
      continue;
    }
    size_t need = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
      need = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
      need = 2;
      if (b == 0xE0) lo = 0xA0;
      if (b == 0xED) hi = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      need = 3;
      if (b == 0xF0) lo = 0x90;
      if (b == 0xF4) hi = 0x8F;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    size_t k = 1;
    for (; k <= need; ++k) {
      if (i + k >= n) break;
      unsigned char c = p[i + k];
      unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
      if (c < l || c > h) break;
    }
    if (k == need + 1) {
      out.append(s.substr(i, need + 1));
      i += need + 1;
    } else {
      out += "\xEF\xBF\xBD";
      i += k;
    }
  }
  return out;
}

std::string cleanup(std::string s) {
  static const std::pair<std::string_view, std::string_view> rules[] = {
      {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"},
      {" 'm", "'m"}, {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
  for (auto [from, to] : rules) {
    std::string out;
    size_t pos = 0;
    while (true) {
      size_t f = s.find(from, pos);
      if (f == std::string::npos) break;
      out.append(s, pos, f - pos);
      out.append(to);
      pos = f + from.size();
    }
    out.append(s, pos, std::string::npos);
    s = std::move(out);
  }
  return s;
}

class WordPieceDecoder final : public Decoder {
 public:
  WordPieceDecoder(std::string prefix, bool cleanup) : prefix_(std::move(prefix)), cleanup_(cleanup) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      auto& t = tokens[i];
      if (i != 0) {
        if (t.compare(0, prefix_.size(), prefix_) == 0) {
          t.erase(0, prefix_.size());
        } else {
          t.insert(0, " ");
        }
      }
      if (cleanup_) t = cleanup(std::move(t));
    }
    return tokens;
  }

 private:
  std::string prefix_;
  bool cleanup_;
};

class ByteLevelDecoder final : public Decoder {
 public:
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    std::string bytes;
    for (const auto& t : tokens) {
      std::string tb;
      bool ok = true;
      for (size_t i = 0; i < t.size();) {
        auto b = byte_level::char_to_byte(unicode::next_char(t, i));
        if (!b) {
          ok = false;
          break;
        }
        tb.push_back(static_cast<char>(*b));
      }
      bytes += ok ? tb : t;
    }
    return {utf8_lossy(bytes)};
  }
};

class MetaspaceDecoder final : public Decoder {
 public:
  MetaspaceDecoder(char32_t rep, bool prepend) : rep_(rep), prepend_(prepend) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      std::string out;
      const auto& t = tokens[i];
      for (size_t k = 0; k < t.size();) {
        size_t b = k;
        char32_t c = unicode::next_char(t, k);
        if (c == rep_) {
          if (!(i == 0 && prepend_)) out.push_back(' ');
        } else {
          out.append(t, b, k - b);
        }
      }
      tokens[i] = std::move(out);
    }
    return tokens;
  }

 private:
  char32_t rep_;
  bool prepend_;
};

class ReplaceDecoder final : public Decoder {
 public:
  ReplaceDecoder(Regex re, std::string content) : re_(std::move(re)), content_(std::move(content)) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    const Pattern p = Pattern::of_regex(&re_);
    for (auto& t : tokens) {
      std::string out;
      for (const auto& [span, is_match] : p.find_matches(t)) {
        if (is_match) {
          out += content_;
        } else {
          out.append(t, span.first, span.second - span.first);
        }
      }
      t = std::move(out);
    }
    return tokens;
  }

 private:
  Regex re_;
  std::string content_;
};

class ByteFallbackDecoder final : public Decoder {
 public:
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    std::vector<std::string> out;
    std::string pending;
    auto flush = [&] {
      if (pending.empty()) return;
      if (unicode::is_valid_utf8(pending)) {
        out.push_back(pending);
      } else {
        for (size_t i = 0; i < pending.size(); ++i) out.emplace_back("\xEF\xBF\xBD");
      }
      pending.clear();
    };
    for (auto& t : tokens) {
      if (t.size() == 6 && t.compare(0, 3, "<0x") == 0 && t[5] == '>' && std::isxdigit(static_cast<unsigned char>(t[3])) &&
          std::isxdigit(static_cast<unsigned char>(t[4]))) {
        pending.push_back(static_cast<char>(std::stoi(t.substr(3, 2), nullptr, 16)));
        continue;
      }
      flush();
      out.push_back(std::move(t));
    }
    flush();
    return out;
  }
};

class FuseDecoder final : public Decoder {
 public:
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    std::string all;
    for (const auto& t : tokens) all += t;
    return {all};
  }
};

class StripDecoder final : public Decoder {
 public:
  StripDecoder(char32_t content, size_t start, size_t stop) : content_(content), start_(start), stop_(stop) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    for (auto& t : tokens) {
      auto chars = unicode::to_u32(t);
      size_t start_cut = 0;
      for (size_t i = 0; i < std::min(start_, chars.size()); ++i) {
        if (chars[i] != content_) break;
        start_cut = i + 1;
      }
      size_t stop_cut = chars.size();
      for (size_t i = 0; i < stop_ && i < chars.size(); ++i) {
        size_t idx = chars.size() - i - 1;
        if (chars[idx] != content_) break;
        stop_cut = idx;
      }
      std::string out;
      for (size_t i = start_cut; i < stop_cut; ++i) unicode::append_utf8(out, chars[i]);
      t = std::move(out);
    }
    return tokens;
  }

 private:
  char32_t content_;
  size_t start_, stop_;
};

class BpeDecoder final : public Decoder {
 public:
  explicit BpeDecoder(std::string suffix) : suffix_(std::move(suffix)) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (suffix_.empty()) continue;
      std::string_view repl = i + 1 == tokens.size() ? "" : " ";
      std::string out;
      const auto& t = tokens[i];
      size_t pos = 0;
      while (true) {
        size_t f = t.find(suffix_, pos);
        if (f == std::string::npos) break;
        out.append(t, pos, f - pos);
        out.append(repl);
        pos = f + suffix_.size();
      }
      out.append(t, pos, std::string::npos);
      tokens[i] = std::move(out);
    }
    return tokens;
  }

 private:
  std::string suffix_;
};

class SequenceDecoder final : public Decoder {
 public:
  explicit SequenceDecoder(std::vector<std::unique_ptr<Decoder>> items) : items_(std::move(items)) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    for (const auto& d : items_) tokens = d->decode_chain(std::move(tokens));
    return tokens;
  }

 private:
  std::vector<std::unique_ptr<Decoder>> items_;
};

}  // namespace

std::unique_ptr<Decoder> make_decoder(const json::value& v) {
  const char* what = "decoder";
  const auto& o = load::as_object(v, what);
  const auto type = load::type_of(o, what);
  if (type == "WordPiece") {
    return std::make_unique<WordPieceDecoder>(load::opt_string(o, "prefix", what).value_or("##"),
                                              load::get_bool(o, "cleanup", true, what));
  }
  if (type == "ByteLevel") return std::make_unique<ByteLevelDecoder>();
  if (type == "Metaspace") {
    char32_t rep = load::single_char(load::get_string(o, "replacement", what), "decoder.replacement");
    bool prepend = true;
    if (auto ps = load::opt_string(o, "prepend_scheme", what)) prepend = *ps != "never";
    if (auto* aps = o.if_contains("add_prefix_space"); aps && aps->is_bool() && !aps->get_bool()) prepend = false;
    return std::make_unique<MetaspaceDecoder>(rep, prepend);
  }
  if (type == "Replace") {
    return std::make_unique<ReplaceDecoder>(load::pattern(o, "decoder(Replace)"), load::get_string(o, "content", what));
  }
  if (type == "ByteFallback") return std::make_unique<ByteFallbackDecoder>();
  if (type == "Fuse") return std::make_unique<FuseDecoder>();
  if (type == "Strip") {
    auto start = load::opt_int(o, "start", what).value_or(0), stop = load::opt_int(o, "stop", what).value_or(0);
    if (start < 0 || stop < 0) throw LoadError("decoder(Strip): start/stop must not be negative");
    return std::make_unique<StripDecoder>(load::single_char(load::get_string(o, "content", what), "decoder.content"),
                                          static_cast<size_t>(start), static_cast<size_t>(stop));
  }
  if (type == "BPEDecoder") return std::make_unique<BpeDecoder>(load::opt_string(o, "suffix", what).value_or("</w>"));
  if (type == "Sequence") {
    const auto& arr = load::field(o, "decoders", what);
    if (!arr.is_array()) throw LoadError("decoder.decoders: expected an array");
    std::vector<std::unique_ptr<Decoder>> items;
    for (const auto& d : arr.get_array()) items.push_back(make_decoder(d));
    return std::make_unique<SequenceDecoder>(std::move(items));
  }
  throw LoadError("decoder: unsupported type '" + type + "'");
}

}  // namespace hub::inference::tokenizers
