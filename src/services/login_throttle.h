// LoginThrottle: limits password guessing (issue 14 #9). One token bucket per account name and
// one per client address; every log-in attempt takes a token from both before the password is
// checked, a successful attempt gives them back. A bucket holds at most `burst` tokens and
// refills at `per_minute` a minute, so a guesser gets `burst` tries at once and then
// `per_minute` a minute, per account and per address; a refused attempt costs no argon2 and
// answers how long to wait (Retry-After). The account bucket is keyed by the name as typed
// (lower-cased), whether or not such a user exists, so refusals reveal nothing either.
// Memory is bounded: full buckets carry no state and are dropped, and past `max_entries` the
// oldest half goes. Thread-safe (one mutex; each call is a hash lookup or two).
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace hub::services {

struct ThrottleLimits {
  double burst = 10;       // attempts allowed at once
  double per_minute = 10;  // refill rate
};

struct LoginLimits {
  // An account is tried from many places only by an attacker; an address may be a NAT or a
  // proxy in front of many honest users, so it gets more room.
  ThrottleLimits account{10, 10};
  ThrottleLimits address{30, 30};
  size_t max_entries = 100'000;
};

class LoginThrottle {
 public:
  explicit LoginThrottle(LoginLimits limits = {}) : limits_(limits) {}

  // Takes one attempt from the account's and the address's buckets. nullopt: go ahead; else
  // nothing was taken and the value is the seconds until an attempt is possible (>= 1).
  std::optional<int> try_acquire(std::string_view account, std::string_view address, int64_t now_ms);
  // The attempt succeeded: it does not count against either bucket.
  void refund(std::string_view account, std::string_view address, int64_t now_ms);

  size_t entries() const;

 private:
  struct Bucket {
    double tokens = 0;
    int64_t at_ms = 0;  // when `tokens` was last brought up to date
  };
  // The bucket's tokens at now (refilled, capped at burst).
  static double level(const Bucket& b, const ThrottleLimits& l, int64_t now_ms);
  Bucket& bucket(const std::string& key, const ThrottleLimits& l, int64_t now_ms);
  void prune(int64_t now_ms);

  LoginLimits limits_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;  // "a:" + account, "i:" + address
};

}  // namespace hub::services
