#include "inference/tokenizers/added_vocabulary.h"

#include <algorithm>

namespace hub::inference::tokenizers {

void AddedVocabulary::add_tokens(const std::vector<AddedToken>& tokens, const Model& model,
                                 const Normalizer* normalizer) {
  auto vocab_size = static_cast<int32_t>(model.vocab_size());
  int32_t next_id = vocab_size;
  if (auto mx = max_id()) next_id = (*mx >= vocab_size || vocab_size == 0) ? *mx + 1 : vocab_size;
  for (AddedToken t : tokens) {
    if (t.content.empty()) continue;
    if (auto it = by_content_.find(t.content); it != by_content_.end()) {
      auto& existing = by_id_[it->second];
      if (existing.content == t.content && existing.single_word == t.single_word && existing.lstrip == t.lstrip &&
          existing.rstrip == t.rstrip && existing.normalized == t.normalized && existing.special == t.special)
        continue;
    }
    if (auto id = token_to_id(t.content)) {
      t.id = *id;
    } else if (auto mid = model.token_to_id(t.content)) {
      t.id = *mid;
    } else {
      t.id = next_id++;
    }
    if (t.normalized && normalizer) {
      NormalizedString n(t.content);
      normalizer->normalize(n);
      if (n.get() != t.content) normalized_cache_[t.id] = n.get();
    }
    by_content_[t.content] = t.id;
    if (t.special) special_.insert(t.content);
    by_id_[t.id] = t;
  }
  rebuild();
}

size_t AddedVocabulary::count_outside(const Model& model) const {
  size_t n = 0;
  for (const auto& [content, id] : by_content_) n += !model.token_to_id(content).has_value();
  return n;
}

std::optional<int32_t> AddedVocabulary::max_id() const {
  std::optional<int32_t> m;
  for (const auto& [id, t] : by_id_) m = m ? std::max(*m, id) : id;
  return m;
}

void AddedVocabulary::rebuild() {
  raw_ = Matcher{};
  normalized_ = Matcher{};
  for (const auto& [id, t] : by_id_) {
    Matcher& m = t.normalized ? normalized_ : raw_;
    std::string pattern = t.content;
    if (t.normalized) {
      if (auto it = normalized_cache_.find(id); it != normalized_cache_.end()) pattern = it->second;
    }
    if (pattern.empty()) continue;
    auto b = static_cast<unsigned char>(pattern[0]);
    m.first[b] = true;
    m.by_first[b].emplace_back(std::move(pattern), id);
  }
  for (Matcher* m : {&raw_, &normalized_}) {
    for (auto& [b, v] : m->by_first) {
      std::sort(v.begin(), v.end(), [](const auto& x, const auto& y) {
        return x.first.size() != y.first.size() ? x.first.size() > y.first.size() : x.second < y.second;
      });
    }
  }
}

std::optional<int32_t> AddedVocabulary::token_to_id(std::string_view token) const {
  auto it = by_content_.find(token);
  if (it == by_content_.end()) return std::nullopt;
  return it->second;
}

const std::string* AddedVocabulary::id_to_token(int32_t id) const {
  if (auto it = normalized_cache_.find(id); it != normalized_cache_.end()) return &it->second;
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second.content;
}

bool AddedVocabulary::is_special(std::string_view content) const { return special_.contains(content); }

bool AddedVocabulary::is_special_id(int32_t id) const {
  auto it = by_id_.find(id);
  return it != by_id_.end() && it->second.special;
}

namespace {
// Regex \w at the end of `before` / start of `after`.
bool ends_with_word(std::string_view s) {
  if (s.empty()) return false;
  size_t i = s.size() - 1;
  while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  size_t j = i;
  return unicode::is_word_char(unicode::next_char(s, j));
}
bool starts_with_word(std::string_view s) {
  if (s.empty()) return false;
  size_t i = 0;
  return unicode::is_word_char(unicode::next_char(s, i));
}
}  // namespace

std::vector<AddedVocabulary::Match> AddedVocabulary::find_matches(std::string_view s, const Matcher& m) const {
  std::vector<Match> out;
  if (s.empty()) {
    out.push_back({std::nullopt, 0, 0});
    return out;
  }
  if (m.empty()) {
    out.push_back({std::nullopt, 0, s.size()});
    return out;
  }
  size_t start_offset = 0;
  size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<unsigned char>(s[i]);
    if (!m.first[b]) {
      ++i;
      continue;
    }
    const std::pair<std::string, int32_t>* hit = nullptr;
    for (const auto& cand : m.by_first.at(b)) {
      if (s.compare(i, cand.first.size(), cand.first) == 0) {
        hit = &cand;
        break;
      }
    }
    if (!hit) {
      ++i;
      continue;
    }
    size_t start = i, stop = i + hit->first.size();
    i = stop;  // matches never overlap, even when one is then skipped
    const AddedToken& tok = by_id_.at(hit->second);
    if (tok.single_word) {
      bool start_space = start == 0 || !ends_with_word(s.substr(0, start));
      bool stop_space = stop == s.size() || !starts_with_word(s.substr(stop));
      if (!start_space || !stop_space) continue;
    }
    if (tok.lstrip) {
      // Leftmost start of the run of whitespace that ends at `start`.
      size_t ns = start;
      while (ns > 0) {
        size_t k = ns - 1;
        while (k > 0 && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) --k;
        size_t j = k;
        if (!unicode::is_whitespace(unicode::next_char(s, j))) break;
        ns = k;
      }
      start = std::max(ns, start_offset);
    }
    if (tok.rstrip) {
      size_t j = stop;
      while (j < s.size()) {
        size_t k = j;
        if (!unicode::is_whitespace(unicode::next_char(s, k))) break;
        j = k;
      }
      stop = j;
      i = std::max(i, stop);
    }
    if (start_offset < start) out.push_back({std::nullopt, start_offset, start});
    out.push_back({hit->second, start, stop});
    start_offset = stop;
  }
  if (start_offset != s.size()) out.push_back({std::nullopt, start_offset, s.size()});
  return out;
}

void AddedVocabulary::split_with(PreTokenizedString& pts, const Matcher& m, const Normalizer* normalizer) const {
  std::vector<Split> out;
  out.reserve(pts.splits.size());
  for (auto& sp : pts.splits) {
    if (sp.tokens) {
      out.push_back(std::move(sp));
      continue;
    }
    if (normalizer) normalizer->normalize(sp.normalized);
    for (const Match& mt : find_matches(sp.normalized.get(), m)) {
      auto slice = sp.normalized.slice({mt.start, mt.end});
      if (!slice || slice->empty()) continue;
      Split piece{std::move(*slice), std::nullopt};
      if (mt.id) {
        std::vector<Token> toks;
        toks.push_back({*mt.id, piece.normalized.get(), 0, piece.normalized.len()});
        piece.tokens = std::move(toks);
      }
      out.push_back(std::move(piece));
    }
  }
  pts.splits = std::move(out);
}

PreTokenizedString AddedVocabulary::extract_and_normalize(std::string_view text, const Normalizer* normalizer) const {
  PreTokenizedString pts;
  pts.splits.push_back(Split{NormalizedString(text), std::nullopt});
  split_with(pts, raw_, nullptr);
  split_with(pts, normalized_, normalizer);
  return pts;
}

}  // namespace hub::inference::tokenizers
