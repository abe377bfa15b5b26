#include "http/hub_error.h"

namespace hub::http {

namespace {

int status_of(Errc c) {
  switch (c) {
    case Errc::not_found: return 404;
    case Errc::already_exists: return 409;
    case Errc::invalid_argument: return 400;
    case Errc::unauthenticated: return 401;
    case Errc::forbidden: return 403;
    case Errc::conflict: return 409;
    case Errc::precondition_failed: return 412;
    case Errc::too_large: return 413;
    case Errc::unsupported: return 422;
    case Errc::corrupt:
    case Errc::io:
    case Errc::internal: return 500;
  }
  return 500;
}

}  // namespace

ErrorReply describe_error(const Error& e, bool anonymous) {
  ErrorReply r;
  r.status = status_of(e.code);
  switch (e.detail) {
    case Detail::RepoNotFound:
      r.code = detail_name(e.detail);
      if (anonymous) r.status = 401;
      break;
    case Detail::GatedRepo:
      r.code = detail_name(e.detail);
      r.status = anonymous ? 401 : 403;
      break;
    case Detail::RevisionNotFound:
    case Detail::EntryNotFound:
    // Not one of the Hub's codes, but scripts uploading large files tell it from other 413s.
    case Detail::LfsObjectTooLarge: r.code = detail_name(e.detail); break;
    // Payload problems (bad paths, unknown LFS objects, a file and a folder with the same
    // name): the Hub answers 422, which the clients assert (`..\` paths).
    case Detail::InvalidPath:
    case Detail::InvalidOperation:
      if (e.code == Errc::invalid_argument) r.status = 422;
      break;
    // A bounded resource is in use by other requests: a retryable 503, not a failure.
    case Detail::MetricsBusy:
      r.status = 503;
      r.retry_after = 5;
      break;
    // Xet uploads (XET.md §4): a malformed or unverifiable xorb or shard, or one naming a xorb
    // the CAS does not hold, is the client's fault and final (clients retry 5xx): 400.
    case Detail::InvalidXorb:
    case Detail::InvalidShard:
    case Detail::ShardVerificationFailed:
      if (e.code == Errc::corrupt || e.code == Errc::invalid_argument) r.status = 400;
      break;
    case Detail::XorbNotFound:
      if (e.code == Errc::corrupt) r.status = 400;
      break;
    default: break;
  }
  r.message = r.status >= 500 && r.status != 503 ? "Internal server error" : e.message;
  return r;
}

Response error_response(const Error& e, bool anonymous) {
  auto d = describe_error(e, anonymous);
  auto r = Response::error(d.status, d.message, d.code);
  if (d.retry_after > 0) r.set_header("Retry-After", std::to_string(d.retry_after));
  return r;
}

}  // namespace hub::http
