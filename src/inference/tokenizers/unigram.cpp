// Unigram model (SentencePiece): Viterbi best path over a byte trie of scored pieces, unknown
// characters scored min_score - 10 and fused, byte fallback to <0xNN> pieces.
// Upstream: tokenizers/src/models/unigram/model.rs (encode_optimized).
#include <cmath>

#include "inference/tokenizers/models.h"
#include "inference/tokenizers/vocab.h"

namespace hub::inference::tokenizers {

namespace {

// A byte trie: one hash entry per edge, keyed by (node << 8 | byte).
class ByteTrie {
 public:
  ByteTrie() { values_.push_back(-1); }
  void insert(std::string_view key, int32_t value) {
    uint32_t node = 0;
    for (unsigned char b : key) {
      uint64_t k = (static_cast<uint64_t>(node) << 8) | b;
      auto it = edges_.find(k);
      if (it == edges_.end()) {
        auto next = static_cast<uint32_t>(values_.size());
        values_.push_back(-1);
        edges_.emplace(k, next);
        node = next;
      } else {
        node = it->second;
      }
    }
    if (values_[node] < 0) values_[node] = value;
  }
  // Calls fn(length, value) for every key that is a prefix of s, shortest first.
  template <class Fn>
  void prefixes(std::string_view s, Fn&& fn) const {
    uint32_t node = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      auto it = edges_.find((static_cast<uint64_t>(node) << 8) | static_cast<unsigned char>(s[i]));
      if (it == edges_.end()) return;
      node = it->second;
      if (values_[node] >= 0) fn(i + 1, values_[node]);
    }
  }

 private:
  std::unordered_map<uint64_t, uint32_t> edges_;
  std::vector<int32_t> values_;
};

class Unigram final : public Model {
 public:
  Unigram(std::vector<std::pair<std::string, double>> pieces, std::optional<int32_t> unk_id, bool byte_fallback)
      : pieces_(std::move(pieces)), unk_id_(unk_id), byte_fallback_(byte_fallback) {
    min_score_ = INFINITY;
    for (size_t i = 0; i < pieces_.size(); ++i) {
      if (!to_id_.contains(pieces_[i].first)) to_id_.emplace(pieces_[i].first, static_cast<int32_t>(i));
      trie_.insert(pieces_[i].first, static_cast<int32_t>(i));
      min_score_ = std::min(min_score_, pieces_[i].second);
    }
  }

  void tokenize(std::string_view s, std::vector<Token>& out) const override {
    if (s.empty()) return;
    auto strings = encode(s);
    size_t off = 0;
    for (auto& str : strings) {
      size_t len = str.size();
      auto it = to_id_.find(str);
      if (it != to_id_.end()) {
        out.push_back({it->second, std::move(str), off, off + len});
        off += len;
        continue;
      }
      if (byte_fallback_) {
        std::vector<Token> bytes;
        bool all = true;
        for (unsigned char b : str) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "<0x%02X>", b);
          auto bit = to_id_.find(std::string_view(buf));
          if (bit == to_id_.end()) {
            all = false;
            break;
          }
          bytes.push_back({bit->second, buf, off, off + len});
        }
        if (all) {
          for (auto& t : bytes) out.push_back(std::move(t));
          off += len;
          continue;
        }
      }
      if (!unk_id_) throw std::runtime_error("Unigram: no unk_id for an unknown piece");
      out.push_back({*unk_id_, std::move(str), off, off + len});
      off += len;
    }
  }

  std::optional<int32_t> token_to_id(std::string_view t) const override {
    auto it = to_id_.find(t);
    if (it == to_id_.end()) return std::nullopt;
    return it->second;
  }
  std::optional<std::string> id_to_token(int32_t id) const override {
    if (id < 0 || static_cast<size_t>(id) >= pieces_.size()) return std::nullopt;
    return pieces_[static_cast<size_t>(id)].first;
  }
  size_t vocab_size() const override { return pieces_.size(); }

 private:
  struct Node {
    int32_t id = -1;
    double score = 0;
    long starts_at = -1;
  };

  std::vector<std::string> encode(std::string_view s) const {
    const double unk_score = min_score_ - 10.0;
    std::vector<Node> best(s.size() + 1);
    size_t start = 0;
    while (start < s.size()) {
      const double here = best[start].score;
      bool has_single = false;
      const size_t mblen = std::min(unicode::char_len(static_cast<unsigned char>(s[start])), s.size() - start);
      trie_.prefixes(s.substr(start), [&](size_t len, int32_t id) {
        Node& target = best[start + len];
        double cand = pieces_[static_cast<size_t>(id)].second + here;
        if (target.starts_at < 0 || cand > target.score) {
          target.score = cand;
          target.starts_at = static_cast<long>(start);
          target.id = id;
        }
        if (len == mblen) has_single = true;
      });
      if (!has_single) {
        Node& target = best[start + mblen];
        double cand = unk_score + here;
        if (target.starts_at < 0 || cand > target.score) {
          if (!unk_id_) throw std::runtime_error("Unigram: no unk_id for an unknown character");
          target.score = cand;
          target.starts_at = static_cast<long>(start);
          target.id = *unk_id_;
        }
      }
      start += mblen;
    }
    std::vector<std::string> results;
    std::string fused;
    bool in_unk = false;
    size_t end = s.size();
    std::vector<std::string_view> unk_parts;
    while (end > 0) {
      const Node& n = best[end];
      auto st = static_cast<size_t>(n.starts_at);
      std::string_view piece = s.substr(st, end - st);
      if (unk_id_ && n.id == *unk_id_) {
        unk_parts.push_back(piece);
        in_unk = true;
      } else {
        if (in_unk) {
          fused.clear();
          for (auto it = unk_parts.rbegin(); it != unk_parts.rend(); ++it) fused += *it;
          results.push_back(fused);
          unk_parts.clear();
          in_unk = false;
        }
        results.emplace_back(piece);
      }
      end = st;
    }
    if (in_unk) {
      fused.clear();
      for (auto it = unk_parts.rbegin(); it != unk_parts.rend(); ++it) fused += *it;
      results.push_back(fused);
    }
    std::reverse(results.begin(), results.end());
    return results;
  }

  std::vector<std::pair<std::string, double>> pieces_;
  std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>> to_id_;
  ByteTrie trie_;
  std::optional<int32_t> unk_id_;
  bool byte_fallback_;
  double min_score_;
};

}  // namespace

std::unique_ptr<Model> make_unigram(const json::object& o) {
  const char* what = "model(Unigram)";
  const auto& v = load::field(o, "vocab", what);
  if (!v.is_array()) throw LoadError("model.vocab: expected an array of [piece, score]");
  std::vector<std::pair<std::string, double>> pieces;
  pieces.reserve(v.get_array().size());
  for (const auto& e : v.get_array()) {
    if (!e.is_array() || e.get_array().size() != 2 || !e.get_array()[0].is_string() || !e.get_array()[1].is_number()) {
      throw LoadError("model.vocab[" + std::to_string(pieces.size()) + "]: expected [string, number]");
    }
    pieces.emplace_back(std::string(e.get_array()[0].get_string()), e.get_array()[1].to_number<double>());
  }
  std::optional<int32_t> unk;
  if (auto u = load::opt_int(o, "unk_id", what)) {
    if (*u < 0 || static_cast<size_t>(*u) >= pieces.size()) throw LoadError("model.unk_id: out of the vocabulary");
    unk = static_cast<int32_t>(*u);
  }
  return std::make_unique<Unigram>(std::move(pieces), unk, load::get_bool(o, "byte_fallback", false, what));
}

}  // namespace hub::inference::tokenizers
