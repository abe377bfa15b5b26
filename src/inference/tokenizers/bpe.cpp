// BPE model: merges applied by rank with a priority queue over a linked list of symbols,
// continuing_subword_prefix / end_of_word_suffix, byte fallback to <0xNN> pieces, fused
// unknowns and a per-thread word cache. Upstream: tokenizers/src/models/bpe/{model,word}.rs.
#include <atomic>
#include <queue>

#include "inference/tokenizers/models.h"
#include "inference/tokenizers/vocab.h"

namespace hub::inference::tokenizers {

namespace {

struct MergeInfo {
  uint32_t rank;
  int32_t new_id;
};

struct Symbol {
  int32_t id;
  int32_t prev;
  int32_t next;
  uint32_t len;  // bytes of the word this symbol covers; 0 once merged away
};

struct QueueItem {
  uint32_t rank;
  uint32_t pos;
  int32_t new_id;
  // std::priority_queue pops the largest: invert so the lowest rank, then position, wins.
  bool operator<(const QueueItem& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
};

using Piece = std::pair<int32_t, uint32_t>;  // id, byte length

std::atomic<uint64_t> g_next_model_serial{1};

class Bpe final : public Model {
 public:
  Bpe(Vocab vocab, std::unordered_map<uint64_t, MergeInfo> merges, std::optional<std::string> unk,
      std::optional<std::string> prefix, std::optional<std::string> suffix, bool fuse_unk, bool byte_fallback,
      bool ignore_merges)
      : vocab_(std::move(vocab)),
        merges_(std::move(merges)),
        unk_(std::move(unk)),
        prefix_(std::move(prefix)),
        suffix_(std::move(suffix)),
        fuse_unk_(fuse_unk),
        byte_fallback_(byte_fallback),
        ignore_merges_(ignore_merges),
        serial_(g_next_model_serial++) {
    if (byte_fallback_) {
      for (int b = 0; b < 256; ++b) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "<0x%02X>", b);
        byte_ids_[b] = vocab_.find(buf).value_or(-1);
      }
    }
  }

  void tokenize(std::string_view word, std::vector<Token>& out) const override {
    if (word.empty()) return;
    if (ignore_merges_) {
      if (auto id = vocab_.find(word)) {
        out.push_back({*id, std::string(word), 0, word.size()});
        return;
      }
    }
    const std::vector<Piece>* pieces = nullptr;
    std::vector<Piece> local;
    auto& cache = thread_cache();
    auto it = cache.find(word);
    if (it != cache.end()) {
      pieces = &it->second;
    } else {
      local = merge_word(word);
      if (word.size() < 256) {
        if (cache.size() > 100000) cache.clear();
        pieces = &cache.emplace(std::string(word), std::move(local)).first->second;
      } else {
        pieces = &local;
      }
    }
    size_t off = 0;
    for (const auto& [id, len] : *pieces) {
      const std::string* s = vocab_.token(id);
      out.push_back({id, s ? *s : std::string(), off, off + len});
      off += len;
    }
  }

  std::optional<int32_t> token_to_id(std::string_view t) const override { return vocab_.find(t); }
  std::optional<std::string> id_to_token(int32_t id) const override {
    if (auto* s = vocab_.token(id)) return *s;
    return std::nullopt;
  }
  size_t vocab_size() const override { return vocab_.size(); }

 private:
  using Cache = std::unordered_map<std::string, std::vector<Piece>, StringHash, std::equal_to<>>;

  // One cache per thread and model, so encode stays lock-free; keyed by a serial number
  // rather than the address so a new model never sees a dead one's entries.
  Cache& thread_cache() const {
    thread_local std::unordered_map<uint64_t, Cache> caches;
    if (caches.size() > 16 && !caches.contains(serial_)) caches.clear();
    return caches[serial_];
  }

  int32_t unk_id() const {
    auto id = vocab_.find(*unk_);
    if (!id) throw std::runtime_error("BPE: unk token '" + *unk_ + "' is not in the vocabulary");
    return *id;
  }

  std::vector<Piece> merge_word(std::string_view w) const {
    std::vector<Symbol> symbols;
    symbols.reserve(w.size());
    auto add = [&](int32_t id, uint32_t len) {
      auto n = static_cast<int32_t>(symbols.size());
      symbols.push_back({id, n - 1, n + 1, len});
    };
    std::optional<Piece> unk{};
    std::string buf;
    for (size_t i = 0; i < w.size();) {
      size_t clen = unicode::char_len(static_cast<unsigned char>(w[i]));
      if (i + clen > w.size()) clen = w.size() - i;
      bool is_first = i == 0, is_last = i + clen >= w.size();
      std::string_view ch = w.substr(i, clen);
      std::string_view key = ch;
      if ((!is_first && prefix_ && !prefix_->empty()) || (is_last && suffix_ && !suffix_->empty())) {
        buf.clear();
        if (!is_first && prefix_) buf += *prefix_;
        buf += ch;
        if (is_last && suffix_) buf += *suffix_;
        key = buf;
      }
      i += clen;
      if (auto id = vocab_.find(key)) {
        if (unk) {
          add(unk->first, unk->second);
          unk.reset();
        }
        add(*id, static_cast<uint32_t>(clen));
        continue;
      }
      if (byte_fallback_) {
        bool all = true;
        for (unsigned char b : key) all = all && byte_ids_[b] >= 0;
        if (all) {
          for (unsigned char b : key) add(byte_ids_[b], 1);
          continue;
        }
      }
      if (unk_) {
        if (unk && fuse_unk_) {
          unk->second += static_cast<uint32_t>(clen);
        } else {
          if (unk) add(unk->first, unk->second);
          unk = Piece{unk_id(), static_cast<uint32_t>(clen)};
        }
      }
    }
    if (unk) add(unk->first, unk->second);
    if (!symbols.empty()) symbols.back().next = -1;
    merge_all(symbols);
    std::vector<Piece> out;
    out.reserve(symbols.size());
    for (const auto& s : symbols) {
      if (s.len != 0) out.push_back({s.id, s.len});
    }
    return out;
  }

  const MergeInfo* find_merge(int32_t a, int32_t b) const {
    auto it = merges_.find(key(a, b));
    return it == merges_.end() ? nullptr : &it->second;
  }
  static uint64_t key(int32_t a, int32_t b) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
  }

  void merge_all(std::vector<Symbol>& symbols) const {
    std::priority_queue<QueueItem> queue;
    for (size_t i = 0; i + 1 < symbols.size(); ++i) {
      if (auto* m = find_merge(symbols[i].id, symbols[i + 1].id)) {
        queue.push({m->rank, static_cast<uint32_t>(i), m->new_id});
      }
    }
    while (!queue.empty()) {
      QueueItem top = queue.top();
      queue.pop();
      Symbol& cur = symbols[top.pos];
      if (cur.len == 0 || cur.next == -1) continue;
      auto next_pos = static_cast<size_t>(cur.next);
      Symbol right = symbols[next_pos];
      auto* m = find_merge(cur.id, right.id);
      if (!m || m->new_id != top.new_id) continue;
      cur.id = top.new_id;
      cur.len += right.len;
      cur.next = right.next;
      symbols[next_pos].len = 0;
      if (right.next > -1 && static_cast<size_t>(right.next) < symbols.size()) {
        symbols[static_cast<size_t>(right.next)].prev = static_cast<int32_t>(top.pos);
      }
      if (cur.prev >= 0) {
        if (auto* pm = find_merge(symbols[static_cast<size_t>(cur.prev)].id, cur.id)) {
          queue.push({pm->rank, static_cast<uint32_t>(cur.prev), pm->new_id});
        }
      }
      if (cur.next >= 0 && static_cast<size_t>(cur.next) < symbols.size()) {
        if (auto* nm = find_merge(cur.id, symbols[static_cast<size_t>(cur.next)].id)) {
          queue.push({nm->rank, top.pos, nm->new_id});
        }
      }
    }
  }

  Vocab vocab_;
  std::unordered_map<uint64_t, MergeInfo> merges_;
  std::optional<std::string> unk_, prefix_, suffix_;
  bool fuse_unk_, byte_fallback_, ignore_merges_;
  int32_t byte_ids_[256]{};
  uint64_t serial_;
};

}  // namespace

std::unique_ptr<Model> make_bpe(const json::object& o) {
  const char* what = "model(BPE)";
  auto vocab = Vocab::from_json_object(load::as_object(load::field(o, "vocab", what), "model.vocab"), "model.vocab");
  auto prefix = load::opt_string(o, "continuing_subword_prefix", what);
  const size_t prefix_len = prefix ? prefix->size() : 0;
  const auto& merges_v = load::field(o, "merges", what);
  if (!merges_v.is_array()) throw LoadError("model.merges: expected an array");
  std::unordered_map<uint64_t, MergeInfo> merges;
  merges.reserve(merges_v.get_array().size());
  uint32_t rank = 0;
  std::string merged;
  for (const auto& m : merges_v.get_array()) {
    std::string_view a, b;
    if (m.is_string()) {  // legacy "a b"
      std::string_view s = m.get_string();
      auto sp = s.find(' ');
      if (sp == std::string_view::npos || s.find(' ', sp + 1) != std::string_view::npos) {
        throw LoadError("model.merges[" + std::to_string(rank) + "]: expected two tokens separated by a space");
      }
      a = s.substr(0, sp);
      b = s.substr(sp + 1);
    } else if (m.is_array() && m.get_array().size() == 2 && m.get_array()[0].is_string() &&
               m.get_array()[1].is_string()) {
      a = m.get_array()[0].get_string();
      b = m.get_array()[1].get_string();
    } else {
      throw LoadError("model.merges[" + std::to_string(rank) + "]: expected \"a b\" or [\"a\", \"b\"]");
    }
    auto ia = vocab.find(a), ib = vocab.find(b);
    if (!ia || !ib) {
      throw LoadError("model.merges[" + std::to_string(rank) + "]: token '" + std::string(ia ? b : a) +
                      "' is not in the vocabulary");
    }
    merged.assign(a);
    merged.append(b.substr(std::min(prefix_len, b.size())));
    auto nid = vocab.find(merged);
    if (!nid) throw LoadError("model.merges: merged token '" + merged + "' is not in the vocabulary");
    merges[(static_cast<uint64_t>(static_cast<uint32_t>(*ia)) << 32) | static_cast<uint32_t>(*ib)] = {rank, *nid};
    ++rank;
  }
  auto unk = load::opt_string(o, "unk_token", what);
  return std::make_unique<Bpe>(std::move(vocab), std::move(merges), std::move(unk), std::move(prefix),
                               load::opt_string(o, "end_of_word_suffix", what),
                               load::get_bool(o, "fuse_unk", false, what), load::get_bool(o, "byte_fallback", false, what),
                               load::get_bool(o, "ignore_merges", false, what));
}

}  // namespace hub::inference::tokenizers
