// Who a request comes from. The per-address limits (connections, streamed uploads, log-in
// attempts) count a client address: an IPv4 address, or an IPv6 /64, since one subscriber
// usually holds a whole /64 and counting single IPv6 addresses would limit nothing.
//
// Behind a reverse proxy every request arrives from the proxy, so all clients would share one
// bucket. Proxies named in HUBD_TRUSTED_PROXIES (addresses or CIDR ranges) are believed about
// X-Forwarded-For: the client is the rightmost hop that is not itself a trusted proxy (anything
// left of it was written by the client and proves nothing). Requests from anywhere else keep
// their socket address, whatever headers they send. Pure functions and an immutable list;
// thread-safe.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace hub::http {

// The unit the per-address limits count (see above).
std::string address_key(const boost::asio::ip::address& a);

class TrustedProxies {
 public:
  // "10.0.0.0/8, 127.0.0.1, ::1, fd00::/8": comma- or space-separated addresses and ranges.
  // invalid_argument names the entry that does not parse. An empty list trusts nobody.
  static Result<TrustedProxies> parse(std::string_view list);

  bool empty() const { return ranges_.empty(); }
  bool contains(const boost::asio::ip::address& a) const;

  // The client key for a request that arrived from `peer` with this X-Forwarded-For value
  // (several headers joined with ","): address_key(peer) unless peer is trusted; then the
  // rightmost hop that is not trusted, or the leftmost one when all are; when a hop does not
  // parse, the nearest trusted hop to its right (peer itself if it is the rightmost).
  std::string client_key(const boost::asio::ip::address& peer, std::string_view forwarded_for) const;

 private:
  struct Range {
    boost::asio::ip::address_v6 base;  // IPv4 as v4-mapped
    unsigned prefix = 128;
  };
  std::vector<Range> ranges_;
};

}  // namespace hub::http
