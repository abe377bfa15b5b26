// Pre-tokenizers of tokenizer.json: BertPreTokenizer, Whitespace, WhitespaceSplit,
// ByteLevel, Metaspace, Split, Punctuation, Digits, CharDelimiterSplit, Sequence.
// Upstream: tokenizers/src/pre_tokenizers/.
#include "inference/tokenizers/byte_level.h"
#include "inference/tokenizers/components.h"

namespace hub::inference::tokenizers {

namespace {

class BertPreTokenizer final : public PreTokenizer {
 public:
  void pre_tokenize(PreTokenizedString& s) const override {
    static const Pattern ws = Pattern::of_fn(unicode::is_whitespace);
    static const Pattern punct = Pattern::of_fn(unicode::is_bert_punctuation);
    s.split([&](NormalizedString n) {
      std::vector<NormalizedString> out;
      for (auto& w : n.split(ws, SplitBehavior::removed)) {
        for (auto& p : w.split(punct, SplitBehavior::isolated)) out.push_back(std::move(p));
      }
      return out;
    });
  }
};

class Whitespace final : public PreTokenizer {
 public:
  Whitespace() : re_(*Regex::compile("\\w+|[^\\w\\s]+")) {}
  void pre_tokenize(PreTokenizedString& s) const override {
    const Pattern p = Pattern::of_regex(&re_).inverted();
    s.split([&](NormalizedString n) { return n.split(p, SplitBehavior::removed); });
  }

 private:
  Regex re_;
};

class CharSplit final : public PreTokenizer {
 public:
  CharSplit(Pattern p, SplitBehavior b) : p_(std::move(p)), b_(b) {}
  void pre_tokenize(PreTokenizedString& s) const override {
    s.split([&](NormalizedString n) { return n.split(p_, b_); });
  }

 private:
  Pattern p_;
  SplitBehavior b_;
};

class SplitPreTokenizer final : public PreTokenizer {
 public:
  SplitPreTokenizer(Regex re, SplitBehavior b, bool invert) : re_(std::move(re)), b_(b), invert_(invert) {}
  void pre_tokenize(PreTokenizedString& s) const override {
    Pattern p = Pattern::of_regex(&re_);
    if (invert_) p = p.inverted();
    s.split([&](NormalizedString n) { return n.split(p, b_); });
  }

 private:
  Regex re_;
  SplitBehavior b_;
  bool invert_;
};

class Metaspace final : public PreTokenizer {
 public:
  enum class Prepend { always, first, never };
  Metaspace(char32_t rep, Prepend scheme, bool split) : rep_(rep), scheme_(scheme), split_(split) {
    unicode::append_utf8(rep_str_, rep);
  }
  void pre_tokenize(PreTokenizedString& s) const override {
    const Pattern space = Pattern::of_char(U' ');
    const Pattern rep = Pattern::of_char(rep_);
    s.split([&](NormalizedString n) {
      n.replace(space, rep_str_);
      bool starts = n.get().compare(0, rep_str_.size(), rep_str_) == 0;
      if (scheme_ == Prepend::always && !starts) n.prepend(rep_str_);
      if (scheme_ == Prepend::first && !starts && n.offsets_original().first == 0) n.prepend(rep_str_);
      if (split_) return n.split(rep, SplitBehavior::merged_with_next);
      std::vector<NormalizedString> out;
      out.push_back(std::move(n));
      return out;
    });
  }

 private:
  char32_t rep_;
  std::string rep_str_;
  Prepend scheme_;
  bool split_;
};

class ByteLevelPre final : public PreTokenizer {
 public:
  ByteLevelPre(bool add_prefix_space, bool use_regex) : add_prefix_space_(add_prefix_space), use_regex_(use_regex) {}
  void pre_tokenize(PreTokenizedString& s) const override {
    const Pattern p = Pattern::of_regex(&byte_level::gpt2_regex());
    s.split([&](NormalizedString n) {
      if (add_prefix_space_ && (n.get().empty() || n.get()[0] != ' ')) n.prepend(" ");
      if (use_regex_) return n.split(p, SplitBehavior::isolated);
      std::vector<NormalizedString> out;
      out.push_back(std::move(n));
      return out;
    });
    s.normalize([](NormalizedString& n) { byte_level::apply(n); });
  }

 private:
  bool add_prefix_space_, use_regex_;
};

class SequencePre final : public PreTokenizer {
 public:
  explicit SequencePre(std::vector<std::unique_ptr<PreTokenizer>> items) : items_(std::move(items)) {}
  void pre_tokenize(PreTokenizedString& s) const override {
    for (const auto& p : items_) p->pre_tokenize(s);
  }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> items_;
};

}  // namespace

std::unique_ptr<PreTokenizer> make_pre_tokenizer(const json::value& v) {
  const char* what = "pre_tokenizer";
  const auto& o = load::as_object(v, what);
  const auto type = load::type_of(o, what);
  if (type == "BertPreTokenizer") return std::make_unique<BertPreTokenizer>();
  if (type == "Whitespace") return std::make_unique<Whitespace>();
  if (type == "WhitespaceSplit") {
    return std::make_unique<CharSplit>(Pattern::of_fn(unicode::is_whitespace), SplitBehavior::removed);
  }
  if (type == "Punctuation") {
    auto b = o.if_contains("behavior") ? load::behavior(o, what) : SplitBehavior::isolated;
    return std::make_unique<CharSplit>(Pattern::of_fn(unicode::is_bert_punctuation), b);
  }
  if (type == "Digits") {
    bool individual = load::get_bool(o, "individual_digits", false, what);
    return std::make_unique<CharSplit>(Pattern::of_fn(unicode::is_numeric),
                                       individual ? SplitBehavior::isolated : SplitBehavior::contiguous);
  }
  if (type == "CharDelimiterSplit") {
    char32_t d = load::single_char(load::get_string(o, "delimiter", what), "pre_tokenizer.delimiter");
    return std::make_unique<CharSplit>(Pattern::of_char(d), SplitBehavior::removed);
  }
  if (type == "Split") {
    return std::make_unique<SplitPreTokenizer>(load::pattern(o, "pre_tokenizer(Split)"), load::behavior(o, what),
                                               load::get_bool(o, "invert", false, what));
  }
  if (type == "ByteLevel") {
    return std::make_unique<ByteLevelPre>(load::get_bool(o, "add_prefix_space", true, what),
                                          load::get_bool(o, "use_regex", true, what));
  }
  if (type == "Metaspace") {
    char32_t rep = load::single_char(load::get_string(o, "replacement", what), "pre_tokenizer.replacement");
    auto scheme = Metaspace::Prepend::always;
    if (auto ps = load::opt_string(o, "prepend_scheme", what)) {
      if (*ps == "first") scheme = Metaspace::Prepend::first;
      else if (*ps == "never") scheme = Metaspace::Prepend::never;
      else if (*ps != "always") throw LoadError("pre_tokenizer.prepend_scheme: unknown value '" + *ps + "'");
    }
    if (auto* aps = o.if_contains("add_prefix_space"); aps && aps->is_bool() && !aps->get_bool()) {
      scheme = Metaspace::Prepend::never;
    }
    return std::make_unique<Metaspace>(rep, scheme, load::get_bool(o, "split", true, what));
  }
  if (type == "Sequence") {
    const auto& arr = load::field(o, "pretokenizers", what);
    if (!arr.is_array()) throw LoadError("pre_tokenizer.pretokenizers: expected an array");
    std::vector<std::unique_ptr<PreTokenizer>> items;
    for (const auto& p : arr.get_array()) items.push_back(make_pre_tokenizer(p));
    return std::make_unique<SequencePre>(std::move(items));
  }
  throw LoadError("pre_tokenizer: unsupported type '" + type + "'");
}

}  // namespace hub::inference::tokenizers
