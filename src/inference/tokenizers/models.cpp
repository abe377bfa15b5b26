// Model factory plus the two dictionary models: WordPiece (greedy longest match with a
// continuation prefix) and WordLevel. Upstream: tokenizers/src/models/{wordpiece,wordlevel}.
#include "inference/tokenizers/components.h"
#include "inference/tokenizers/models.h"
#include "inference/tokenizers/vocab.h"

namespace hub::inference::tokenizers {

Vocab Vocab::from_json_object(const json::object& o, std::string_view what) {
  Vocab v;
  v.to_id_.reserve(o.size());
  for (const auto& kv : o) {
    auto id = json::get_int(o, kv.key());
    if (!id || *id < 0 || *id > INT32_MAX) {
      throw LoadError(std::string(what) + ": id of '" + std::string(kv.key()) + "' is not a valid integer");
    }
    v.add(std::string(kv.key()), static_cast<int32_t>(*id));
  }
  return v;
}

void Vocab::add(std::string token, int32_t id) {
  auto idx = static_cast<size_t>(id);
  if (idx >= to_token_.size()) {
    to_token_.resize(idx + 1);
    has_.resize(idx + 1, false);
  }
  to_token_[idx] = token;
  has_[idx] = true;
  to_id_[std::move(token)] = id;
}

namespace {

class WordPiece final : public Model {
 public:
  WordPiece(Vocab vocab, std::string unk, std::string prefix, size_t max_chars)
      : vocab_(std::move(vocab)), unk_(std::move(unk)), prefix_(std::move(prefix)), max_chars_(max_chars) {}

  void tokenize(std::string_view word, std::vector<Token>& out) const override {
    if (unicode::count_chars(word) > max_chars_) {
      push_unk(word, out);
      return;
    }
    const size_t first = out.size();
    std::string buf;
    size_t start = 0;
    while (start < word.size()) {
      size_t end = word.size();
      bool found = false;
      while (start < end) {
        std::string_view sub = word.substr(start, end - start);
        std::optional<int32_t> id;
        if (start > 0) {
          buf.assign(prefix_);
          buf.append(sub);
          id = vocab_.find(buf);
        } else {
          id = vocab_.find(sub);
        }
        if (id) {
          out.push_back({*id, start > 0 ? buf : std::string(sub), start, end});
          found = true;
          break;
        }
        // Step back one character.
        size_t k = end - 1;
        while (k > start && (static_cast<unsigned char>(word[k]) & 0xC0) == 0x80) --k;
        end = k;
      }
      if (!found) {
        out.resize(first);
        push_unk(word, out);
        return;
      }
      start = end;
    }
  }
  std::optional<int32_t> token_to_id(std::string_view t) const override { return vocab_.find(t); }
  std::optional<std::string> id_to_token(int32_t id) const override {
    if (auto* s = vocab_.token(id)) return *s;
    return std::nullopt;
  }
  size_t vocab_size() const override { return vocab_.size(); }

 private:
  void push_unk(std::string_view word, std::vector<Token>& out) const {
    auto id = vocab_.find(unk_);
    if (!id) throw std::runtime_error("WordPiece: unk token '" + unk_ + "' is not in the vocabulary");
    out.push_back({*id, unk_, 0, word.size()});
  }
  Vocab vocab_;
  std::string unk_, prefix_;
  size_t max_chars_;
};

class WordLevel final : public Model {
 public:
  WordLevel(Vocab vocab, std::string unk) : vocab_(std::move(vocab)), unk_(std::move(unk)) {}
  void tokenize(std::string_view word, std::vector<Token>& out) const override {
    if (auto id = vocab_.find(word)) {
      out.push_back({*id, std::string(word), 0, word.size()});
      return;
    }
    auto id = vocab_.find(unk_);
    if (!id) throw std::runtime_error("WordLevel: unk token '" + unk_ + "' is not in the vocabulary");
    out.push_back({*id, unk_, 0, word.size()});
  }
  std::optional<int32_t> token_to_id(std::string_view t) const override { return vocab_.find(t); }
  std::optional<std::string> id_to_token(int32_t id) const override {
    if (auto* s = vocab_.token(id)) return *s;
    return std::nullopt;
  }
  size_t vocab_size() const override { return vocab_.size(); }

 private:
  Vocab vocab_;
  std::string unk_;
};

}  // namespace

std::unique_ptr<Model> make_model(const json::value& v) {
  const char* what = "model";
  const auto& o = load::as_object(v, what);
  std::string type;
  if (o.if_contains("type")) {
    type = load::type_of(o, what);
  } else if (o.if_contains("merges")) {
    type = "BPE";  // old files carry no "type": tell the models apart by their fields
  } else if (auto* vocab = o.if_contains("vocab"); vocab && vocab->is_array()) {
    type = "Unigram";
  } else if (o.if_contains("continuing_subword_prefix") || o.if_contains("max_input_chars_per_word")) {
    type = "WordPiece";
  } else {
    type = "WordLevel";
  }
  if (type == "BPE") return make_bpe(o);
  if (type == "Unigram") return make_unigram(o);
  if (type == "WordPiece") {
    const auto& vocab = load::as_object(load::field(o, "vocab", what), "model.vocab");
    auto max_chars = load::opt_int(o, "max_input_chars_per_word", what).value_or(100);
    return std::make_unique<WordPiece>(Vocab::from_json_object(vocab, "model.vocab"),
                                       load::opt_string(o, "unk_token", what).value_or("[UNK]"),
                                       load::opt_string(o, "continuing_subword_prefix", what).value_or("##"),
                                       static_cast<size_t>(std::max<int64_t>(0, max_chars)));
  }
  if (type == "WordLevel") {
    const auto& vocab = load::as_object(load::field(o, "vocab", what), "model.vocab");
    return std::make_unique<WordLevel>(Vocab::from_json_object(vocab, "model.vocab"),
                                       load::opt_string(o, "unk_token", what).value_or("<unk>"));
  }
  throw LoadError("model: unsupported type '" + type + "'");
}

}  // namespace hub::inference::tokenizers
