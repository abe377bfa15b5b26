#include "inference/tokenizers/normalized_string.h"

#include <algorithm>

namespace hub::inference::tokenizers {

using unicode::Change;

Pattern Pattern::of_char(char32_t c) {
  Pattern p;
  p.fn_ = [c](char32_t x) { return x == c; };
  return p;
}

Pattern Pattern::of_fn(std::function<bool(char32_t)> fn) {
  Pattern p;
  p.fn_ = std::move(fn);
  return p;
}

Pattern Pattern::of_regex(const Regex* re) {
  Pattern p;
  p.re_ = re;
  return p;
}

Pattern Pattern::inverted() const {
  Pattern p = *this;
  p.invert_ = !p.invert_;
  return p;
}

std::vector<std::pair<Span, bool>> Pattern::find_matches(std::string_view s) const {
  std::vector<std::pair<Span, bool>> out;
  if (s.empty()) {
    out.push_back({{0, 0}, false});
    return out;
  }
  if (re_) {
    size_t prev = 0;
    for (auto [b, e] : re_->find_all(s)) {
      if (prev != b) out.push_back({{prev, b}, false});
      out.push_back({{b, e}, true});
      prev = e;
    }
    if (prev != s.size()) out.push_back({{prev, s.size()}, false});
  } else {
    size_t last_offset = 0;
    size_t i = 0;
    while (i < s.size()) {
      size_t b = i;
      char32_t c = unicode::next_char(s, i);
      if (fn_(c)) {
        if (last_offset < b) out.push_back({{last_offset, b}, false});
        out.push_back({{b, i}, true});
        last_offset = i;
      }
    }
    if (s.size() > last_offset) out.push_back({{last_offset, s.size()}, false});
  }
  if (invert_) {
    for (auto& m : out) m.second = !m.second;
  }
  return out;
}

NormalizedString::NormalizedString(std::string_view original, size_t shift)
    : normalized_(original), original_len_(original.size()), original_shift_(shift) {
  alignments_.resize(original.size());
  for (size_t i = 0; i < original.size();) {
    size_t n = unicode::char_len(static_cast<unsigned char>(original[i]));
    for (size_t k = 0; k < n; ++k) alignments_[i + k] = {static_cast<uint32_t>(i), static_cast<uint32_t>(i + n)};
    i += n;
  }
}

std::optional<Span> NormalizedString::convert_normalized(Span r) const {
  if (r.first == r.second) return r;
  if (r.first > r.second || r.second > alignments_.size()) return std::nullopt;
  return Span{alignments_[r.first].start, alignments_[r.second - 1].end};
}

std::optional<Span> NormalizedString::convert_original(Span r) const {
  if (r.first == r.second) return r;
  if (r.first > r.second) return std::nullopt;
  std::optional<size_t> start, end;
  for (size_t i = 0; i < alignments_.size(); ++i) {
    const Align& a = alignments_[i];
    if (r.second < a.end) break;
    if (!start && r.first <= a.start && a.start != a.end) start = i;
    end = i + 1;
  }
  if (start && end) return Span{*start, *end};
  if (start) return Span{*start, *start};
  if (end) return Span{*end, *end};
  return std::nullopt;
}

namespace {
bool is_boundary(const std::string& s, size_t i) {
  return i == 0 || i == s.size() || (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80);
}
}  // namespace

std::optional<NormalizedString> NormalizedString::slice(Span r) const {
  if (r.second > normalized_.size() || r.first > r.second) return std::nullopt;
  if (!is_boundary(normalized_, r.first) || !is_boundary(normalized_, r.second)) return std::nullopt;
  auto orig = convert_normalized(r);
  if (!orig) return std::nullopt;
  NormalizedString out;
  out.normalized_ = normalized_.substr(r.first, r.second - r.first);
  out.alignments_.reserve(r.second - r.first);
  const auto shift = static_cast<uint32_t>(orig->first);
  for (size_t i = r.first; i < r.second; ++i) {
    out.alignments_.push_back({alignments_[i].start - shift, alignments_[i].end - shift});
  }
  out.original_len_ = orig->second >= orig->first ? orig->second - orig->first : 0;
  out.original_shift_ = original_shift_ + orig->first;
  return out;
}

void NormalizedString::transform_range(Span n_range, const std::vector<Change>& dest, size_t initial_offset) {
  const size_t range_end = n_range.second;
  if (initial_offset == 0) {
    // Fast path: one-for-one replacement with equal byte lengths (lowercasing ASCII, mapping
    // whitespace, identity normalization). Every byte keeps its alignment, so rewrite in place.
    bool simple = true;
    size_t p = n_range.first;
    for (const Change& ch : dest) {
      if (ch.change != 0 || p >= range_end) {
        simple = false;
        break;
      }
      size_t n = unicode::char_len(static_cast<unsigned char>(normalized_[p]));
      if (unicode::utf8_len(ch.c) != n) {
        simple = false;
        break;
      }
      p += n;
    }
    if (simple && p == range_end) {
      std::string buf;
      p = n_range.first;
      for (const Change& ch : dest) {
        if (ch.c < 0x80) {
          normalized_[p++] = static_cast<char>(ch.c);
          continue;
        }
        buf.clear();
        unicode::append_utf8(buf, ch.c);
        normalized_.replace(p, buf.size(), buf);
        p += buf.size();
      }
      return;
    }
  }
  size_t rp = n_range.first;  // next replaced byte
  for (size_t k = 0; k < initial_offset && rp < range_end; ++k) {
    rp += unicode::char_len(static_cast<unsigned char>(normalized_[rp]));
  }
  size_t offset = rp;
  std::string out;
  out.reserve(n_range.second - n_range.first + dest.size());
  std::vector<Align> aligns;
  aligns.reserve(out.capacity());
  const Align none{0, 0};
  for (const Change& ch : dest) {
    Align align;
    if (ch.change > 0) {
      align = offset < 1 ? none : alignments_[std::min(offset, alignments_.size()) - 1];
    } else {
      align = offset < alignments_.size() ? alignments_[offset] : (alignments_.empty() ? none : alignments_.back());
    }
    if (ch.change <= 0 && rp < range_end) {
      size_t n = unicode::char_len(static_cast<unsigned char>(normalized_[rp]));
      rp += n;
      offset += n;
    }
    if (ch.change < 0) {
      for (int32_t k = 0; k < -ch.change && rp < range_end; ++k) {
        size_t n = unicode::char_len(static_cast<unsigned char>(normalized_[rp]));
        rp += n;
        offset += n;
      }
    }
    size_t before = out.size();
    unicode::append_utf8(out, ch.c);
    aligns.insert(aligns.end(), out.size() - before, align);
  }
  alignments_.erase(alignments_.begin() + static_cast<std::ptrdiff_t>(n_range.first),
                    alignments_.begin() + static_cast<std::ptrdiff_t>(n_range.second));
  alignments_.insert(alignments_.begin() + static_cast<std::ptrdiff_t>(n_range.first), aligns.begin(), aligns.end());
  normalized_.replace(n_range.first, n_range.second - n_range.first, out);
}

void NormalizedString::transform(const std::vector<Change>& dest, size_t initial_offset) {
  auto r = convert_original({0, original_len_});
  if (!r) return;
  transform_range(*r, dest, initial_offset);
}

void NormalizedString::normalize_unicode(unicode::NormForm form) {
  transform(unicode::normalize(normalized_, form), 0);
}

void NormalizedString::filter(const std::function<bool(char32_t)>& keep) {
  int32_t removed = 0;
  size_t removed_start = 0;
  std::vector<Change> out;
  out.reserve(normalized_.size());
  std::optional<char32_t> last;
  for (size_t i = 0; i < normalized_.size();) {
    char32_t c = unicode::next_char(normalized_, i);
    if (keep(c)) {
      if (last) {
        out.push_back({*last, -removed});
      } else {
        removed_start = static_cast<size_t>(removed);
      }
      last = c;
      removed = 0;
    } else {
      ++removed;
    }
  }
  if (last) out.push_back({*last, -removed});
  transform(out, removed_start);
}

void NormalizedString::map(const std::function<char32_t(char32_t)>& fn) {
  std::vector<Change> out;
  out.reserve(normalized_.size());
  for (size_t i = 0; i < normalized_.size();) out.push_back({fn(unicode::next_char(normalized_, i)), 0});
  transform(out, 0);
}

void NormalizedString::lowercase() {
  std::vector<Change> out;
  out.reserve(normalized_.size());
  std::vector<char32_t> buf;
  for (size_t i = 0; i < normalized_.size();) {
    buf.clear();
    unicode::to_lowercase(unicode::next_char(normalized_, i), buf);
    for (size_t k = 0; k < buf.size(); ++k) out.push_back({buf[k], k > 0 ? 1 : 0});
  }
  transform(out, 0);
}

void NormalizedString::prepend(std::string_view s) {
  if (normalized_.empty()) return;
  size_t i = 0;
  char32_t next = unicode::next_char(normalized_, i);
  std::vector<Change> out;
  size_t k = 0;
  for (size_t j = 0; j < s.size(); ++k) out.push_back({unicode::next_char(s, j), k != 0 ? 1 : 0});
  out.push_back({next, 1});
  transform_range({0, i}, out, 0);
}

void NormalizedString::replace(const Pattern& pattern, std::string_view content) {
  std::string out;
  out.reserve(normalized_.size());
  std::vector<Align> aligns;
  aligns.reserve(alignments_.size());
  size_t last_end = 0;
  for (const auto& [span, is_match] : pattern.find_matches(normalized_)) {
    if (!is_match) continue;
    auto [start, end] = span;
    out.append(normalized_, last_end, start - last_end);
    aligns.insert(aligns.end(), alignments_.begin() + static_cast<std::ptrdiff_t>(last_end),
                  alignments_.begin() + static_cast<std::ptrdiff_t>(start));
    // Every inserted character takes the alignment of the last replaced byte.
    Align align = end < 1 ? Align{0, 0} : alignments_[end - 1];
    size_t before = out.size();
    out.append(content);
    aligns.insert(aligns.end(), out.size() - before, align);
    last_end = end;
  }
  out.append(normalized_, last_end, std::string::npos);
  aligns.insert(aligns.end(), alignments_.begin() + static_cast<std::ptrdiff_t>(last_end), alignments_.end());
  normalized_ = std::move(out);
  alignments_ = std::move(aligns);
}

void NormalizedString::strip(bool left, bool right) {
  auto chars = unicode::to_u32(normalized_);
  size_t leading = 0, trailing = 0;
  if (left) {
    while (leading < chars.size() && unicode::is_whitespace(chars[leading])) ++leading;
  }
  if (right) {
    while (trailing < chars.size() && unicode::is_whitespace(chars[chars.size() - 1 - trailing])) ++trailing;
  }
  if (leading == 0 && trailing == 0) return;
  const size_t count = chars.size();
  std::vector<Change> out;
  const auto marker = static_cast<long>(normalized_.size()) - static_cast<long>(trailing) - 1;
  for (size_t i = 0; i < count; ++i) {
    if (i < leading || i >= count - trailing) continue;
    if (static_cast<long>(i) == marker) {
      out.push_back({chars[i], -static_cast<int32_t>(trailing)});
    } else {
      out.push_back({chars[i], 0});
    }
  }
  transform(out, leading);
}

std::vector<NormalizedString> NormalizedString::split(const Pattern& pattern, SplitBehavior behavior) const {
  auto matches = pattern.find_matches(normalized_);
  std::vector<std::pair<Span, bool>> splits;  // (range, remove)
  switch (behavior) {
    case SplitBehavior::isolated:
      for (auto& m : matches) splits.push_back({m.first, false});
      break;
    case SplitBehavior::removed:
      splits = std::move(matches);
      break;
    case SplitBehavior::contiguous: {
      bool prev = false;
      for (auto& [span, is_match] : matches) {
        if (is_match == prev && !splits.empty()) {
          splits.back().first.second = span.second;
        } else {
          splits.push_back({span, false});
        }
        prev = is_match;
      }
      break;
    }
    case SplitBehavior::merged_with_previous: {
      bool prev = false;
      for (auto& [span, is_match] : matches) {
        if (is_match && !prev && !splits.empty()) {
          splits.back().first.second = span.second;
        } else {
          splits.push_back({span, false});
        }
        prev = is_match;
      }
      break;
    }
    case SplitBehavior::merged_with_next: {
      bool prev = false;
      for (auto it = matches.rbegin(); it != matches.rend(); ++it) {
        auto& [span, is_match] = *it;
        if (is_match && !prev && !splits.empty()) {
          splits.back().first.first = span.first;
        } else {
          splits.push_back({span, false});
        }
        prev = is_match;
      }
      std::reverse(splits.begin(), splits.end());
      break;
    }
  }
  std::vector<NormalizedString> out;
  out.reserve(splits.size());
  for (auto& [span, remove] : splits) {
    if (remove) continue;
    if (auto s = slice(span)) out.push_back(std::move(*s));
  }
  return out;
}

}  // namespace hub::inference::tokenizers
