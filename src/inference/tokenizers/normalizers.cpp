// Normalizers of tokenizer.json: BertNormalizer, NFC/NFD/NFKC/NFKD, Lowercase, StripAccents,
// Replace, Prepend, Strip, Precompiled, Sequence. Upstream: tokenizers/src/normalizers/.
#include "inference/tokenizers/components.h"
#include "inference/tokenizers/precompiled.h"

namespace hub::inference::tokenizers {

namespace {

using unicode::Change;

class BertNormalizer final : public Normalizer {
 public:
  BertNormalizer(bool clean_text, bool chinese, bool strip_accents, bool lowercase)
      : clean_text_(clean_text), chinese_(chinese), strip_accents_(strip_accents), lowercase_(lowercase) {}

  void normalize(NormalizedString& s) const override {
    if (clean_text_) {
      s.filter([](char32_t c) {
        if (c == '\t' || c == '\n' || c == '\r') return true;
        return !(c == 0 || c == 0xFFFD || unicode::is_other(c));
      });
      s.map([](char32_t c) { return unicode::is_whitespace(c) ? U' ' : c; });
    }
    if (chinese_) {
      std::vector<Change> out;
      const auto& str = s.get();
      bool any = false;
      out.reserve(str.size());
      for (size_t i = 0; i < str.size();) {
        char32_t c = unicode::next_char(str, i);
        if (unicode::is_chinese_char(c)) {
          out.push_back({U' ', 0});
          out.push_back({c, 1});
          out.push_back({U' ', 1});
          any = true;
        } else {
          out.push_back({c, 0});
        }
      }
      if (any) s.transform(out, 0);
    }
    if (strip_accents_) {
      s.normalize_unicode(unicode::NormForm::nfd);
      s.filter([](char32_t c) { return !unicode::is_mark_nonspacing(c); });
    }
    if (lowercase_) s.lowercase();
  }

 private:
  bool clean_text_, chinese_, strip_accents_, lowercase_;
};

class UnicodeNormalizer final : public Normalizer {
 public:
  explicit UnicodeNormalizer(unicode::NormForm f) : form_(f) {}
  void normalize(NormalizedString& s) const override { s.normalize_unicode(form_); }

 private:
  unicode::NormForm form_;
};

class Lowercase final : public Normalizer {
 public:
  void normalize(NormalizedString& s) const override { s.lowercase(); }
};

class StripAccents final : public Normalizer {
 public:
  void normalize(NormalizedString& s) const override {
    s.filter([](char32_t c) { return !unicode::is_mark(c); });
  }
};

class Strip final : public Normalizer {
 public:
  Strip(bool left, bool right) : left_(left), right_(right) {}
  void normalize(NormalizedString& s) const override { s.strip(left_, right_); }

 private:
  bool left_, right_;
};

class Prepend final : public Normalizer {
 public:
  explicit Prepend(std::string p) : prepend_(std::move(p)) {}
  void normalize(NormalizedString& s) const override {
    if (!s.empty()) s.prepend(prepend_);
  }

 private:
  std::string prepend_;
};

class Replace final : public Normalizer {
 public:
  Replace(Regex re, std::string content) : re_(std::move(re)), content_(std::move(content)) {}
  void normalize(NormalizedString& s) const override { s.replace(Pattern::of_regex(&re_), content_); }

 private:
  Regex re_;
  std::string content_;
};

class PrecompiledNormalizer final : public Normalizer {
 public:
  explicit PrecompiledNormalizer(Precompiled p) : p_(std::move(p)) {}
  void normalize(NormalizedString& s) const override { p_.normalize(s); }

 private:
  Precompiled p_;
};

class SequenceNormalizer final : public Normalizer {
 public:
  explicit SequenceNormalizer(std::vector<std::unique_ptr<Normalizer>> n) : items_(std::move(n)) {}
  void normalize(NormalizedString& s) const override {
    for (const auto& n : items_) n->normalize(s);
  }

 private:
  std::vector<std::unique_ptr<Normalizer>> items_;
};

}  // namespace

std::unique_ptr<Normalizer> make_normalizer(const json::value& v) {
  const char* what = "normalizer";
  const auto& o = load::as_object(v, what);
  const auto type = load::type_of(o, what);
  if (type == "BertNormalizer") {
    bool lowercase = load::get_bool(o, "lowercase", true, what);
    auto* sa = o.if_contains("strip_accents");
    bool strip = lowercase;
    if (sa && !sa->is_null()) strip = load::get_bool(o, "strip_accents", lowercase, what);
    return std::make_unique<BertNormalizer>(load::get_bool(o, "clean_text", true, what),
                                            load::get_bool(o, "handle_chinese_chars", true, what), strip, lowercase);
  }
  if (type == "NFD") return std::make_unique<UnicodeNormalizer>(unicode::NormForm::nfd);
  if (type == "NFKD") return std::make_unique<UnicodeNormalizer>(unicode::NormForm::nfkd);
  if (type == "NFC") return std::make_unique<UnicodeNormalizer>(unicode::NormForm::nfc);
  if (type == "NFKC") return std::make_unique<UnicodeNormalizer>(unicode::NormForm::nfkc);
  if (type == "Lowercase") return std::make_unique<Lowercase>();
  if (type == "StripAccents") return std::make_unique<StripAccents>();
  if (type == "Strip") {
    return std::make_unique<Strip>(load::get_bool(o, "strip_left", true, what),
                                   load::get_bool(o, "strip_right", true, what));
  }
  if (type == "Prepend") return std::make_unique<Prepend>(load::get_string(o, "prepend", what));
  if (type == "Replace") {
    return std::make_unique<Replace>(load::pattern(o, "normalizer(Replace)"), load::get_string(o, "content", what));
  }
  if (type == "Precompiled") {
    auto* f = o.if_contains("precompiled_charsmap");
    if (!f || f->is_null()) return std::make_unique<SequenceNormalizer>(std::vector<std::unique_ptr<Normalizer>>{});
    auto p = Precompiled::from_base64(load::get_string(o, "precompiled_charsmap", what));
    if (!p) throw LoadError("normalizer(Precompiled): " + p.error().message);
    return std::make_unique<PrecompiledNormalizer>(std::move(*p));
  }
  if (type == "Sequence") {
    const auto& arr = load::field(o, "normalizers", what);
    if (!arr.is_array()) throw LoadError("normalizer.normalizers: expected an array");
    std::vector<std::unique_ptr<Normalizer>> items;
    for (const auto& n : arr.get_array()) items.push_back(make_normalizer(n));
    return std::make_unique<SequenceNormalizer>(std::move(items));
  }
  throw LoadError("normalizer: unsupported type '" + type + "'");
}

}  // namespace hub::inference::tokenizers
