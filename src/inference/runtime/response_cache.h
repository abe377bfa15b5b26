// ResponseCache: the Inference API's answers kept by request (INFERENCE_API.md §2: key =
// model, revision, task and the canonical body), so a repeated request is answered without
// running the model, as the Hub does unless the caller sends X-Use-Cache: false. An LRU bounded
// by bytes; entries never go stale because the key names the commit. Thread-safe.
#pragma once

#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace hub::inference::runtime {

class ResponseCache {
 public:
  explicit ResponseCache(size_t budget_bytes) : budget_(budget_bytes) {}

  std::optional<std::string> get(const std::string& key);
  // Entries larger than a quarter of the budget are not kept.
  void put(const std::string& key, std::string value);

  size_t used_bytes() const;
  size_t hits() const;

 private:
  struct Entry {
    std::string value;
    std::list<std::string>::iterator order;
  };
  mutable std::mutex mu_;
  size_t budget_, used_ = 0, hits_ = 0;
  std::list<std::string> order_;  // most recent first
  std::unordered_map<std::string, Entry> map_;
};

}  // namespace hub::inference::runtime
