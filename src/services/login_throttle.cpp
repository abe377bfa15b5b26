#include "services/login_throttle.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <vector>

namespace hub::services {

namespace {
// Names and addresses come from the client: bound the key so a long one costs no more memory.
constexpr size_t kMaxKeyPart = 128;

std::string account_key(std::string_view account) {
  std::string k = "a:";
  for (char c : account.substr(0, kMaxKeyPart)) k += char(std::tolower(static_cast<unsigned char>(c)));
  return k;
}
std::string address_key(std::string_view address) { return "i:" + std::string(address.substr(0, kMaxKeyPart)); }
}  // namespace

double LoginThrottle::level(const Bucket& b, const ThrottleLimits& l, int64_t now_ms) {
  double elapsed_min = double(std::max<int64_t>(0, now_ms - b.at_ms)) / 60'000.0;
  return std::min(l.burst, b.tokens + elapsed_min * l.per_minute);
}

LoginThrottle::Bucket& LoginThrottle::bucket(const std::string& key, const ThrottleLimits& l, int64_t now_ms) {
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{l.burst, now_ms});
  if (!fresh) it->second = Bucket{level(it->second, l, now_ms), now_ms};
  return it->second;
}

std::optional<int> LoginThrottle::try_acquire(std::string_view account, std::string_view address, int64_t now_ms) {
  std::lock_guard lock(mu_);
  if (buckets_.size() >= limits_.max_entries) prune(now_ms);
  Bucket& a = bucket(account_key(account), limits_.account, now_ms);
  Bucket& i = bucket(address_key(address), limits_.address, now_ms);
  if (a.tokens >= 1 && i.tokens >= 1) {
    a.tokens -= 1;
    i.tokens -= 1;
    return std::nullopt;
  }
  // Seconds until both buckets hold a whole token again.
  auto wait_s = [](const Bucket& b, const ThrottleLimits& l) {
    if (b.tokens >= 1) return 0.0;
    return l.per_minute > 0 ? (1 - b.tokens) * 60.0 / l.per_minute : 3600.0;
  };
  double s = std::max(wait_s(a, limits_.account), wait_s(i, limits_.address));
  return std::max(1, int(std::ceil(s)));
}

void LoginThrottle::refund(std::string_view account, std::string_view address, int64_t now_ms) {
  std::lock_guard lock(mu_);
  for (auto [key, l] : {std::pair{account_key(account), &limits_.account}, std::pair{address_key(address), &limits_.address}}) {
    Bucket& b = bucket(key, *l, now_ms);
    b.tokens = std::min(l->burst, b.tokens + 1);
  }
}

size_t LoginThrottle::entries() const {
  std::lock_guard lock(mu_);
  return buckets_.size();
}

void LoginThrottle::prune(int64_t now_ms) {
  // A full bucket is the same as no bucket.
  std::erase_if(buckets_, [&](const auto& kv) {
    const ThrottleLimits& l = kv.first.starts_with("a:") ? limits_.account : limits_.address;
    return level(kv.second, l, now_ms) >= l.burst;
  });
  if (buckets_.size() < limits_.max_entries) return;
  // Still full (a flood of distinct names): forget the older half.
  std::vector<int64_t> ages;
  ages.reserve(buckets_.size());
  for (const auto& [k, b] : buckets_) ages.push_back(b.at_ms);
  auto mid = ages.begin() + ptrdiff_t(ages.size() / 2);
  std::nth_element(ages.begin(), mid, ages.end());
  int64_t cutoff = *mid;
  std::erase_if(buckets_, [&](const auto& kv) { return kv.second.at_ms <= cutoff; });
}

}  // namespace hub::services
