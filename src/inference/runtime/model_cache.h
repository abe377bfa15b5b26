// ModelCache: loaded models keyed by (repo, commit), under a memory budget with LRU eviction.
// A miss starts a load on the cache's own loader thread and reports "loading" with an
// estimated time, so the API can answer 503 {"estimated_time"} as the Hub does, or wait.
// A failed load is remembered briefly so a broken repo is not reloaded on every request.
// Thread-safe. Evicting a model only drops the cache's reference: requests that hold the
// shared_ptr finish on it.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"
#include "inference/models/model.h"

namespace hub::inference::runtime {

class ModelCache {
 public:
  using Loader = std::function<Result<std::shared_ptr<const Model>>()>;

  explicit ModelCache(size_t budget_bytes);
  ~ModelCache();
  ModelCache(const ModelCache&) = delete;
  ModelCache& operator=(const ModelCache&) = delete;

  struct Status {
    std::shared_ptr<const Model> model;  // set when loaded
    bool loading = false;                // a load is in progress (or was just started)
    double estimated_time = 0;           // seconds until it is probably ready
  };
  // The model when loaded. Otherwise starts loading it (if start) and says so. A recent
  // failed load comes back as its error. est_bytes (the weight files' size) sizes the time
  // estimate and a first budget check; once loaded, the model counts its full memory
  // estimate (Model::memory(): weights, tables, KV caches, scratch).
  Result<Status> get(const std::string& key, size_t est_bytes, const Loader& loader, bool start = true);
  // Like get, then blocks until the load finishes (at most timeout).
  Result<std::shared_ptr<const Model>> get_wait(const std::string& key, size_t est_bytes, const Loader& loader,
                                                std::chrono::milliseconds timeout);

  size_t budget_bytes() const { return budget_; }
  size_t used_bytes() const;
  size_t loaded_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  size_t budget_;
};

}  // namespace hub::inference::runtime
