// Rows of the durable background-job queue and of webhooks (issue 17 webhooks, issue 18
// background work claimed by one node at a time), behind the Database interface. Plain values.
//
// A job is pending (lease_owner empty, due once run_after <= now) or leased (lease_owner set,
// lease_until in the future). At most one *pending* job exists per non-empty (kind, key):
// enqueueing another coalesces into it. A leased job whose lease expired (its node died) is
// due again. Times are unix ms chosen by the caller, so tests control the clock.
#pragma once

#include <cstdint>
#include <string>

namespace hub::storage::db {

struct JobRow {
  int64_t id = 0;
  std::string kind;         // what runs it ("post_push", "webhook_event", "webhook_delivery")
  std::string key;          // coalescing key ("" = never coalesced), e.g. the repo id
  std::string payload;      // JSON, opaque to the database
  int64_t run_after = 0;    // due at (ms)
  int64_t attempts = 0;     // claims so far (a claim counts as an attempt)
  std::string lease_owner;  // "" = pending
  int64_t lease_until = 0;
  std::string last_error;
  int64_t created_at = 0;
};

// A user's or organisation's webhook. watched/domains are the API's JSON arrays as stored.
struct WebhookRow {
  int64_t id = 0;
  std::string uid;          // the API's id: 24 lowercase hex
  int64_t owner_id = 0;     // the account whose settings hold it (and whose read access it has)
  std::string url;
  std::string watched;      // JSON [{"type":"user|org|model|dataset|space","name":...}]
  std::string domains;      // JSON ["repo","discussion"]
  std::string secret;       // "" = none
  bool disabled = false;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

// One delivery of one event to one webhook, as its log shows it.
struct WebhookDeliveryRow {
  int64_t id = 0;
  int64_t webhook_id = 0;
  std::string event;        // "scope.action", e.g. "repo.content.update"
  std::string payload;      // the JSON body sent
  std::string state;        // "pending" | "ok" | "failed" (gave up)
  int64_t status = 0;       // last HTTP status (0: no response)
  std::string error;        // last error ("" when ok)
  int64_t attempts = 0;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

}  // namespace hub::storage::db
