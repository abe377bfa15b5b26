#include "inference/runtime/response_cache.h"

namespace hub::inference::runtime {

std::optional<std::string> ResponseCache::get(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = map_.find(key);
  if (it == map_.end()) return std::nullopt;
  order_.splice(order_.begin(), order_, it->second.order);
  ++hits_;
  return it->second.value;
}

void ResponseCache::put(const std::string& key, std::string value) {
  size_t size = key.size() + value.size();
  if (size > budget_ / 4) return;
  std::lock_guard lock(mu_);
  if (auto it = map_.find(key); it != map_.end()) {
    used_ -= key.size() + it->second.value.size();
    order_.erase(it->second.order);
    map_.erase(it);
  }
  order_.push_front(key);
  map_.emplace(key, Entry{std::move(value), order_.begin()});
  used_ += size;
  while (used_ > budget_ && !order_.empty()) {
    auto last = map_.find(order_.back());
    used_ -= last->first.size() + last->second.value.size();
    map_.erase(last);
    order_.pop_back();
  }
}

size_t ResponseCache::used_bytes() const {
  std::lock_guard lock(mu_);
  return used_;
}

size_t ResponseCache::hits() const {
  std::lock_guard lock(mu_);
  return hits_;
}

}  // namespace hub::inference::runtime
