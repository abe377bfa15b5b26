// The one mapping from service errors to the Hub's error contract (http/hub_error.h).
#include "http/hub_error.h"

#include <gtest/gtest.h>

using namespace hub;
using namespace hub::http;

TEST(HubError, HubCodesAndStatuses) {
  struct Case {
    Error e;
    bool anonymous;
    int status;
    std::string_view code;
  } cases[] = {
      {{Errc::not_found, "Repository not found", Detail::RepoNotFound}, false, 404, "RepoNotFound"},
      {{Errc::not_found, "Repository not found", Detail::RepoNotFound}, true, 401, "RepoNotFound"},
      {{Errc::not_found, "Invalid rev id: x", Detail::RevisionNotFound}, true, 404, "RevisionNotFound"},
      {{Errc::not_found, "Entry not found", Detail::EntryNotFound}, false, 404, "EntryNotFound"},
      {{Errc::forbidden, "gated", Detail::GatedRepo}, false, 403, "GatedRepo"},
      {{Errc::forbidden, "gated", Detail::GatedRepo}, true, 401, "GatedRepo"},
      {{Errc::invalid_argument, "bad path", Detail::InvalidPath}, false, 422, ""},
      {{Errc::invalid_argument, "bad op", Detail::InvalidOperation}, false, 422, ""},
      {{Errc::invalid_argument, "Invalid metadata in README.md.", Detail::InvalidMetadata}, false, 400, ""},
      {{Errc::already_exists, "Reference refs/heads/x already exists"}, false, 409, ""},
      {{Errc::precondition_failed, "stale"}, false, 412, ""},
      {{Errc::too_large, "big"}, false, 413, ""},
      {{Errc::too_large, "over the LFS limit", Detail::LfsObjectTooLarge}, false, 413, "LfsObjectTooLarge"},
      {{Errc::unsupported, "no"}, false, 422, ""},
      {{Errc::unauthenticated, "log in"}, true, 401, ""},
      {{Errc::not_found, "No user named x"}, false, 404, ""},
  };
  for (const auto& c : cases) {
    auto d = describe_error(c.e, c.anonymous);
    EXPECT_EQ(d.status, c.status) << c.e.message;
    EXPECT_EQ(d.code, c.code) << c.e.message;
    EXPECT_EQ(d.message, c.e.message);
  }
}

TEST(HubError, ServerErrorsHideTheirDetail) {
  for (Errc c : {Errc::io, Errc::internal, Errc::corrupt}) {
    auto r = error_response(Error{c, "/secret/path: disk on fire"});
    EXPECT_EQ(r.status, 500);
    EXPECT_EQ(r.header("X-Error-Message"), "Internal server error");
    EXPECT_EQ(r.body, R"({"error":"Internal server error"})");
  }
}

// A busy bounded resource is a retryable 503 that keeps its message, with Retry-After.
TEST(HubError, BusyIsRetryable) {
  Error e{Errc::conflict, "Other metrics are being computed; retry in a few seconds", Detail::MetricsBusy};
  auto d = describe_error(e);
  EXPECT_EQ(d.status, 503);
  EXPECT_EQ(d.retry_after, 5);
  auto r = error_response(e);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.header("Retry-After"), "5");
  EXPECT_EQ(r.header("X-Error-Message"), e.message);
}

TEST(HubError, ResponseShape) {
  auto r = error_response(Error{Errc::not_found, "Repository not found", Detail::RepoNotFound}, true);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.header("X-Error-Code"), "RepoNotFound");
  EXPECT_EQ(r.header("X-Error-Message"), "Repository not found");
  EXPECT_EQ(r.body, R"({"error":"Repository not found"})");
  auto plain = error_response(Error{Errc::invalid_argument, "two\nlines"});
  EXPECT_FALSE(plain.header("X-Error-Code"));
  EXPECT_EQ(plain.header("X-Error-Message"), "two lines");
}

TEST(HubError, DetailNames) {
  EXPECT_EQ(detail_name(Detail::none), "");
  EXPECT_EQ(detail_name(Detail::RevisionNotFound), "RevisionNotFound");
  EXPECT_EQ(detail_name(Detail::TgiValidation), "validation");
  EXPECT_EQ(detail_name(Detail::TgiTemplateError), "template_error");
}

namespace hub::http {
namespace {
// Xet uploads (issue 16): a bad xorb or shard, or a shard naming a xorb the CAS lacks, is the
// client's fault and final (clients retry 5xx): 400 with the message; other corrupt stays 500.
TEST(HubError, XetUploadProblemsAre400) {
  for (Detail d : {Detail::InvalidXorb, Detail::InvalidShard, Detail::ShardVerificationFailed, Detail::XorbNotFound}) {
    auto r = describe_error(Error{Errc::corrupt, "bad upload", d});
    EXPECT_EQ(r.status, 400) << detail_name(d);
    EXPECT_EQ(r.message, "bad upload");
  }
  EXPECT_EQ(describe_error(Error{Errc::invalid_argument, "bad name", Detail::InvalidXorb}).status, 400);
  EXPECT_EQ(describe_error(Error{Errc::too_large, "big", Detail::XorbTooLarge}).status, 413);
  // A plan naming a xorb that is gone is the server's problem.
  EXPECT_EQ(describe_error(Error{Errc::not_found, "gone", Detail::XorbNotFound}).status, 404);
}
}  // namespace
}  // namespace hub::http
