#include "core/result.h"

namespace hub {

std::string_view errc_name(Errc c) {
  switch (c) {
    case Errc::not_found: return "not_found";
    case Errc::already_exists: return "already_exists";
    case Errc::invalid_argument: return "invalid_argument";
    case Errc::unauthenticated: return "unauthenticated";
    case Errc::forbidden: return "forbidden";
    case Errc::conflict: return "conflict";
    case Errc::precondition_failed: return "precondition_failed";
    case Errc::too_large: return "too_large";
    case Errc::corrupt: return "corrupt";
    case Errc::unsupported: return "unsupported";
    case Errc::io: return "io";
    case Errc::internal: return "internal";
  }
  return "internal";
}

std::string_view detail_name(Detail d) {
  switch (d) {
    case Detail::none: return "";
    case Detail::RepoNotFound: return "RepoNotFound";
    case Detail::RevisionNotFound: return "RevisionNotFound";
    case Detail::EntryNotFound: return "EntryNotFound";
    case Detail::GatedRepo: return "GatedRepo";
    case Detail::RepoMoved: return "RepoMoved";
    case Detail::InvalidPath: return "InvalidPath";
    case Detail::InvalidOperation: return "InvalidOperation";
    case Detail::InvalidMetadata: return "InvalidMetadata";
    case Detail::InvalidLfsOid: return "InvalidOid";
    case Detail::InvalidPointer: return "InvalidPointer";
    case Detail::InvalidToken: return "InvalidToken";
    case Detail::TokenExpired: return "TokenExpired";
    case Detail::TokenMismatch: return "TokenMismatch";
    case Detail::RangeNotSatisfiable: return "RangeNotSatisfiable";
    case Detail::CreateBucket: return "CreateBucket";
    case Detail::HashMismatch: return "HashMismatch";
    case Detail::SizeMismatch: return "SizeMismatch";
    case Detail::LfsObjectTooLarge: return "LfsObjectTooLarge";
    case Detail::TooManyRequests: return "TooManyRequests";
    case Detail::TreeTooLarge: return "TreeTooLarge";
    case Detail::XorbNotFound: return "XorbNotFound";
    case Detail::InvalidXorb: return "InvalidXorb";
    case Detail::XorbTooLarge: return "XorbTooLarge";
    case Detail::InvalidShard: return "InvalidShard";
    case Detail::ShardTooLarge: return "ShardTooLarge";
    case Detail::ShardVerificationFailed: return "ShardVerificationFailed";
    case Detail::MetricsBusy: return "MetricsBusy";
    case Detail::Loading: return "Loading";
    case Detail::Overloaded: return "Overloaded";
    case Detail::Unloaded: return "Unloaded";
    case Detail::TemplateError: return "TemplateError";
    case Detail::TgiValidation: return "validation";
    case Detail::TgiTemplateError: return "template_error";
  }
  return "";
}

}  // namespace hub
