// Vocab: token string <-> id maps shared by the models, with string_view lookups.
// Immutable after load; thread-safe to read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/json.h"

namespace hub::inference::tokenizers {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

class Vocab {
 public:
  // From a JSON object {"token": id, ...}; throws LoadError on a non-integer id.
  static Vocab from_json_object(const json::object& o, std::string_view what);
  void add(std::string token, int32_t id);

  std::optional<int32_t> find(std::string_view token) const {
    auto it = to_id_.find(token);
    if (it == to_id_.end()) return std::nullopt;
    return it->second;
  }
  const std::string* token(int32_t id) const {
    if (id < 0 || static_cast<size_t>(id) >= to_token_.size() || !has_[static_cast<size_t>(id)]) return nullptr;
    return &to_token_[static_cast<size_t>(id)];
  }
  size_t size() const { return to_id_.size(); }

 private:
  std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>> to_id_;
  std::vector<std::string> to_token_;
  std::vector<bool> has_;
};

}  // namespace hub::inference::tokenizers
