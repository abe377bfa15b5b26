// The outbound side of webhooks (issue 17): where a delivery may go and how it is sent.
// SSRF rules: http(s) only, no redirects followed, no proxy from the environment, and the
// address libcurl is about to connect to (after DNS, for every address it tries) must be a
// public unicast address: loopback, private (RFC 1918, ULA), link-local, CGNAT, multicast,
// unspecified, reserved and IPv4-mapped/NAT64 forms of those are refused, unless allowed
// (HUBD_WEBHOOKS_ALLOW_PRIVATE=1, for tests and all-internal deployments). Checking the
// connected address, not the name, also defeats DNS rebinding. Thread-safe (curl easy handle
// per call).
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace hub::services {

// Whether addr is one deliveries may connect to (see above).
bool is_public_address(const sockaddr* addr);
// "1.2.3.4" / "::1" parsed and classified; false for what does not parse.
bool is_public_ip_text(std::string_view ip);
// HUBD_WEBHOOKS_ALLOW_PRIVATE=1.
bool webhooks_allow_private();

// Checks a webhook URL when it is saved: http(s), a host, at most 2048 bytes, no credentials,
// and (unless allow_private) not a literal private address or localhost. invalid_argument.
Result<void> check_webhook_url(std::string_view url, bool allow_private);

struct PostResult {
  long status = 0;       // HTTP status, 0 when no response came
  std::string error;     // "" on a response (any status)
  bool refused = false;  // the target address is not allowed: retrying cannot help
};
PostResult post_json(const std::string& url, const std::string& body, const std::vector<std::string>& headers,
                     std::chrono::milliseconds timeout, bool allow_private);

}  // namespace hub::services
