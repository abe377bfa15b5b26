// Webhooks (issue 17): a user's webhooks (the Hub's /api/settings/webhooks API as
// huggingface_hub calls it), the events that fire them, and their delivery.
// - A webhook watches items (user/org names: every repo in that namespace; model/dataset/space
//   ids: that repo) in domains "repo" (repo create/delete/move, config changes, content pushes)
//   and "discussion" (discussions/PRs opened, commented, status changed, merged).
// - emit_* build the Hub's payload (event {action, scope}, repo {type, name, id, private, url,
//   headSha, owner}, discussion, comment, updatedRefs, movedTo, updatedConfig) and queue ONE
//   durable "webhook_event" job (one insert, never blocking the caller's request). That job
//   fans out: for every enabled webhook that watches the repo, in the event's domain, whose
//   owner can read the repo now (a private repo's events never reach another user's hook), a
//   delivery row (the log the owner sees) and a "webhook_delivery" job.
// - A delivery POSTs the JSON with X-Webhook-Secret (when set) through webhook_http.h (SSRF
//   rules, no redirects, timeout HUBD_WEBHOOK_TIMEOUT_MS, default 10000); a non-2xx answer or no
//   answer retries with backoff (HUBD_WEBHOOK_RETRY_MS base, default 1000, doubling) up to
//   HUBD_WEBHOOK_MAX_ATTEMPTS (default 6); each attempt updates the delivery's row.
// Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/result.h"
#include "services/auth.h"
#include "services/hub.h"
#include "storage/db/database.h"

namespace hub::services {

class JobRunner;

// Settings API (the caller's own webhooks). Bodies are the API's JSON: {url, watched:[{type,
// name}], domains:[...], secret}. invalid_argument for bad fields; not_found for another
// user's webhook (never revealing it exists).
Result<std::vector<storage::db::WebhookRow>> list_webhooks(Hub& hub, const Principal& p);
Result<storage::db::WebhookRow> get_webhook(Hub& hub, const Principal& p, std::string_view id);
Result<storage::db::WebhookRow> create_webhook(Hub& hub, const Principal& p, const json::object& body);
// Fields absent from body keep their value (watched is replaced when present).
Result<storage::db::WebhookRow> update_webhook(Hub& hub, const Principal& p, std::string_view id,
                                               const json::object& body);
Result<storage::db::WebhookRow> set_webhook_disabled(Hub& hub, const Principal& p, std::string_view id, bool disabled);
Result<void> delete_webhook(Hub& hub, const Principal& p, std::string_view id);
// The API object: {id, url, watched, domains, secret, disabled, job: null}; with_log adds
// "deliveries" (the newest 20: event, state, status, error, attempts, dates).
json::object webhook_json(Hub& hub, const storage::db::WebhookRow& w, bool with_log);

// The base URL payload links use ("http://host:port"; the server sets it at start).
void set_webhook_base_url(std::string url);

// Events. None of these fail the caller: a problem is logged.
void emit_repo_event(Hub& hub, const storage::db::RepoRow& repo, std::string_view scope, std::string_view action,
                     json::object extra = {});
// A ref change (push, commit API, web upload, branch/tag edits): repo.content update with
// updatedRefs and headSha (the default branch's head).
void emit_refs_event(Hub& hub, const storage::db::RepoRow& repo, const std::string& repo_path,
                     const std::vector<storage::db::RefUpdate>& updates);
// Discussions: action "create" (opened) or "update" (status, title, merge) on scope
// "discussion"; with a comment, scope "discussion.comment", action "create".
void emit_discussion_event(Hub& hub, const storage::db::RepoRow& repo, int64_t num, std::string_view action,
                           const storage::db::DiscussionEventRow* comment = nullptr);

void register_webhook_jobs(JobRunner& runner);

}  // namespace hub::services
