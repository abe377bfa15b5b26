#include "services/webhooks.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>

#include "core/hash.h"
#include "core/log.h"
#include "core/time.h"
#include "services/jobs.h"
#include "services/names.h"
#include "services/webhook_http.h"
#include "storage/git/repo.h"

namespace hub::services {

namespace db = storage::db;

// Returns the error of a Result<void> expression from the enclosing function.
#define WEBHOOKS_TRY_VOID(expr) \
  if (auto e_ = (expr); !e_) return std::unexpected(e_.error())

namespace {
constexpr std::string_view kEventKind = "webhook_event";
constexpr std::string_view kDeliveryKind = "webhook_delivery";
constexpr size_t kMaxWebhooksPerUser = 100;
constexpr size_t kMaxWatched = 100;
constexpr size_t kMaxSecret = 512;

std::mutex g_base_mu;
std::string g_base_url = "http://localhost";

std::string base_url() {
  std::lock_guard lock(g_base_mu);
  return g_base_url;
}

int64_t env_int(const char* name, int64_t dflt) {
  const char* v = std::getenv(name);
  if (!v || !*v) return dflt;
  char* end = nullptr;
  long long n = std::strtoll(v, &end, 10);
  return (end && *end == 0 && n > 0) ? n : dflt;
}

std::string object_id(int64_t id) {  // the Hub's 24-hex ids, for rows that have only a number
  char buf[32];
  std::snprintf(buf, sizeof buf, "%024llx", static_cast<unsigned long long>(id));
  return buf;
}

// --- settings -----------------------------------------------------------------------------

Result<int64_t> owner_of(const Principal& p) {
  if (!p.account) return fail(Errc::unauthenticated, "You must be logged in to manage webhooks");
  return p.account->id;
}

Result<std::string> valid_watched(const json::value& v) {
  if (!v.is_array()) return fail(Errc::invalid_argument, "watched must be a list of {type, name}");
  const auto& a = v.as_array();
  if (a.size() > kMaxWatched) return fail(Errc::invalid_argument, "watched holds at most 100 items");
  json::array out;
  for (const auto& item : a) {
    if (!item.is_object()) return fail(Errc::invalid_argument, "watched items must be objects {type, name}");
    auto type = json::get_string(item.as_object(), "type");
    auto name = json::get_string(item.as_object(), "name");
    if (!type || (*type != "user" && *type != "org" && *type != "model" && *type != "dataset" && *type != "space"))
      return fail(Errc::invalid_argument, "watched item type must be one of user, org, model, dataset, space");
    if (!name || name->empty() || name->size() > 200)
      return fail(Errc::invalid_argument, "watched item name must be a non-empty string");
    bool repo = *type == "model" || *type == "dataset" || *type == "space";
    if (repo != (name->find('/') != std::string_view::npos))
      return fail(Errc::invalid_argument, repo ? "a watched repo is named namespace/name"
                                               : "a watched user or org is named without a slash");
    out.push_back(json::object{{"type", *type}, {"name", *name}});
  }
  return json::serialize(out);
}

Result<std::string> valid_domains(const json::value& v) {
  if (!v.is_array()) return fail(Errc::invalid_argument, "domains must be a list of \"repo\" and \"discussion\"");
  std::set<std::string> seen;
  json::array out;
  for (const auto& d : v.as_array()) {
    if (!d.is_string()) return fail(Errc::invalid_argument, "domains must be strings");
    std::string s(d.as_string());
    if (s == "discussions") s = "discussion";  // huggingface_hub's type hint spells it so
    if (s != "repo" && s != "discussion") return fail(Errc::invalid_argument, "domains may hold \"repo\" and \"discussion\"");
    if (seen.insert(s).second) out.push_back(json::value(s));
  }
  return json::serialize(out);
}

Result<void> apply_body(db::WebhookRow& w, const json::object& body, bool creating) {
  if (auto* u = json::find(body, "url")) {
    if (!u->is_string()) return fail(Errc::invalid_argument, "url must be a string");
    WEBHOOKS_TRY_VOID(check_webhook_url(u->as_string(), webhooks_allow_private()));
    w.url = std::string(u->as_string());
  } else if (creating) {
    if (json::find(body, "jobSourceId")) return fail(Errc::invalid_argument, "Job webhooks are not supported by this hub; give a url");
    return fail(Errc::invalid_argument, "url is required");
  }
  if (auto* v = json::find(body, "watched")) {
    HUB_TRY(s, valid_watched(*v));
    w.watched = s;
  } else if (creating) {
    return fail(Errc::invalid_argument, "watched is required");
  }
  if (auto* v = json::find(body, "domains"); v && !v->is_null()) {
    HUB_TRY(s, valid_domains(*v));
    w.domains = s;
  } else if (creating) {
    w.domains = R"(["repo","discussion"])";
  }
  if (auto* v = json::find(body, "secret"); v && !v->is_null()) {
    if (!v->is_string() || v->as_string().size() > kMaxSecret)
      return fail(Errc::invalid_argument, "secret must be a string of at most 512 bytes");
    w.secret = std::string(v->as_string());
  }
  return {};
}

Result<db::WebhookRow> own_webhook(Hub& hub, const Principal& p, std::string_view id) {
  HUB_TRY(owner, owner_of(p));
  auto w = hub.db().webhook_by_uid(id);
  if (!w || w->owner_id != owner) {
    if (!w && w.error().code != Errc::not_found) return std::unexpected(w.error());
    return fail(Errc::not_found, "Webhook not found");
  }
  return w;
}

// --- events -------------------------------------------------------------------------------

json::object repo_json(const db::RepoRow& r, std::string_view head_sha) {
  std::string base = base_url();
  std::string web = base + "/" + std::string(repo_url_prefix(r.type)) + r.full_id();
  std::string api = base + "/api/" + r.type + "s/" + r.full_id();
  json::object o{{"type", r.type},
                 {"name", r.full_id()},
                 {"id", r.uid},
                 {"private", r.is_private},
                 {"url", json::object{{"web", web}, {"api", api}}},
                 {"owner", json::object{{"id", r.ns}}}};
  if (!head_sha.empty()) o["headSha"] = head_sha;
  return o;
}

std::string author_name(Hub& hub, const db::DiscussionEventRow& e) {
  if (!e.author_name.empty()) return e.author_name;
  auto a = hub.db().account_by_id(e.author_id);
  return a ? a->name : "";
}

std::string domain_of(std::string_view scope) { return scope.starts_with("discussion") ? "discussion" : "repo"; }

// Queues the fan-out job. The repo snapshot rides along: after a delete there is no row to read.
void queue_event(Hub& hub, const db::RepoRow& r, json::object body) {
  auto hooks = hub.db().list_webhooks(std::nullopt);
  if (hooks && hooks->empty()) return;  // no webhooks at all: nothing to do (the common case)
  json::object meta{{"repo_id", r.id}, {"type", r.type}, {"ns", r.ns}, {"name", r.name}, {"private", r.is_private}};
  std::string payload = json::serialize(json::object{{"meta", std::move(meta)}, {"body", std::move(body)}});
  if (auto q = enqueue_job(hub, kEventKind, "", std::move(payload)); !q)
    log::warn("cannot queue a webhook event", {{"repo", r.full_id()}, {"error", q.error().message}});
}

bool watches(const db::WebhookRow& w, const db::RepoRow& r) {
  auto doc = json::parse(w.watched);
  if (!doc || !doc->is_array()) return false;
  for (const auto& item : doc->as_array()) {
    if (!item.is_object()) continue;
    auto type = json::get_string(item.as_object(), "type");
    auto name = json::get_string(item.as_object(), "name");
    if (!type || !name) continue;
    auto same = [](std::string_view a, std::string_view b) {  // names compare case-insensitively
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
      return true;
    };
    if ((*type == "user" || *type == "org") && same(*name, r.ns)) return true;
    if (*type == r.type && same(*name, r.full_id())) return true;
  }
  return false;
}

bool in_domain(const db::WebhookRow& w, std::string_view domain) {
  auto doc = json::parse(w.domains);
  if (!doc || !doc->is_array()) return false;
  for (const auto& d : doc->as_array())
    if (d.is_string() && d.as_string() == domain) return true;
  return false;
}

Result<void> run_event(Hub& hub, const db::JobRow& job) {
  auto doc = json::parse(job.payload);
  if (!doc || !doc->is_object()) return fail(Errc::invalid_argument, "webhook_event: payload is not an object");
  const auto* meta = json::get_object(doc->as_object(), "meta");
  const auto* body = json::get_object(doc->as_object(), "body");
  if (!meta || !body) return fail(Errc::invalid_argument, "webhook_event: meta and body required");
  db::RepoRow r;
  r.id = json::get_int(*meta, "repo_id").value_or(0);
  r.type = std::string(json::get_string(*meta, "type").value_or(""));
  r.ns = std::string(json::get_string(*meta, "ns").value_or(""));
  r.name = std::string(json::get_string(*meta, "name").value_or(""));
  r.is_private = json::get_bool(*meta, "private").value_or(true);
  // Who may see it is decided now: a repo made private since the event is private to its hooks.
  if (auto now = hub.db().repo_by_id(r.id)) r = *now;
  const auto* ev = json::get_object(*body, "event");
  std::string scope(ev ? json::get_string(*ev, "scope").value_or("") : "");
  std::string action(ev ? json::get_string(*ev, "action").value_or("") : "");
  HUB_TRY(hooks, hub.db().list_webhooks(std::nullopt));
  for (const auto& w : hooks) {
    if (w.disabled || !in_domain(w, domain_of(scope)) || !watches(w, r)) continue;
    auto owner = hub.db().account_by_id(w.owner_id);
    if (!owner) continue;
    Principal p;
    p.kind = AuthKind::session;
    p.account = *owner;
    if (!can_read(hub, p, r)) continue;  // never leak a private repo's events to another user
    json::object full = *body;
    full["webhook"] = json::object{{"id", w.uid}, {"version", 3}};
    db::WebhookDeliveryRow d;
    d.webhook_id = w.id;
    d.event = scope + "." + action;
    d.payload = json::serialize(full);
    d.state = "pending";
    d.created_at = d.updated_at = now_ms();
    HUB_TRY(made, hub.db().add_webhook_delivery(d));
    auto q = enqueue_job(hub, kDeliveryKind, "",
                                     json::serialize(json::object{{"delivery_id", made.id}, {"webhook", w.uid}}));
    if (!q) return std::unexpected(q.error());
  }
  return {};
}

int max_delivery_attempts() { return int(env_int("HUBD_WEBHOOK_MAX_ATTEMPTS", 6)); }

Result<void> run_delivery(Hub& hub, const db::JobRow& job) {
  auto doc = json::parse(job.payload);
  if (!doc || !doc->is_object()) return fail(Errc::invalid_argument, "webhook_delivery: payload is not an object");
  auto id = json::get_int(doc->as_object(), "delivery_id");
  auto uid = json::get_string(doc->as_object(), "webhook");
  if (!id || !uid) return fail(Errc::invalid_argument, "webhook_delivery: delivery_id and webhook required");
  auto d = hub.db().webhook_delivery(*id);
  if (!d) return d.error().code == Errc::not_found ? Result<void>{} : std::unexpected(d.error());  // hook deleted
  auto w = hub.db().webhook_by_uid(*uid);
  if (!w) return w.error().code == Errc::not_found ? Result<void>{} : std::unexpected(w.error());
  d->attempts += 1;
  d->updated_at = now_ms();
  if (w->disabled) {  // disabled after the event: nothing goes out
    d->state = "failed";
    d->error = "webhook disabled";
    return hub.db().update_webhook_delivery(*d);
  }
  std::vector<std::string> headers;
  if (!w->secret.empty()) headers.push_back("X-Webhook-Secret: " + w->secret);
  headers.push_back("X-Webhook-Id: " + w->uid);
  auto res = post_json(w->url, d->payload, headers,
                       std::chrono::milliseconds(env_int("HUBD_WEBHOOK_TIMEOUT_MS", 10'000)), webhooks_allow_private());
  d->status = res.status;
  bool ok = res.error.empty() && res.status >= 200 && res.status < 300;
  d->error = ok ? "" : (res.error.empty() ? "HTTP " + std::to_string(res.status) : res.error);
  bool last = res.refused || job.attempts >= max_delivery_attempts();
  d->state = ok ? "ok" : (last ? "failed" : "pending");
  if (auto u = hub.db().update_webhook_delivery(*d); !u) return u;
  if (ok || last) return {};
  return fail(Errc::io, d->error);  // retried with backoff
}
}  // namespace

// --- public -------------------------------------------------------------------------------

void set_webhook_base_url(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  std::lock_guard lock(g_base_mu);
  g_base_url = std::move(url);
}

Result<std::vector<db::WebhookRow>> list_webhooks(Hub& hub, const Principal& p) {
  HUB_TRY(owner, owner_of(p));
  return hub.db().list_webhooks(owner);
}

Result<db::WebhookRow> get_webhook(Hub& hub, const Principal& p, std::string_view id) { return own_webhook(hub, p, id); }

Result<db::WebhookRow> create_webhook(Hub& hub, const Principal& p, const json::object& body) {
  HUB_TRY(owner, owner_of(p));
  WEBHOOKS_TRY_VOID(require_write_scope(p));
  HUB_TRY(existing, hub.db().list_webhooks(owner));
  if (existing.size() >= kMaxWebhooksPerUser) return fail(Errc::invalid_argument, "You have reached the limit of 100 webhooks");
  db::WebhookRow w;
  w.uid = hex_encode(random_bytes(12));
  w.owner_id = owner;
  WEBHOOKS_TRY_VOID(apply_body(w, body, true));
  w.created_at = w.updated_at = now_ms();
  return hub.db().create_webhook(w);
}

Result<db::WebhookRow> update_webhook(Hub& hub, const Principal& p, std::string_view id, const json::object& body) {
  WEBHOOKS_TRY_VOID(require_write_scope(p));
  HUB_TRY(w, own_webhook(hub, p, id));
  WEBHOOKS_TRY_VOID(apply_body(w, body, false));
  w.updated_at = now_ms();
  WEBHOOKS_TRY_VOID(hub.db().update_webhook(w));
  return w;
}

Result<db::WebhookRow> set_webhook_disabled(Hub& hub, const Principal& p, std::string_view id, bool disabled) {
  WEBHOOKS_TRY_VOID(require_write_scope(p));
  HUB_TRY(w, own_webhook(hub, p, id));
  w.disabled = disabled;
  w.updated_at = now_ms();
  WEBHOOKS_TRY_VOID(hub.db().update_webhook(w));
  return w;
}

Result<void> delete_webhook(Hub& hub, const Principal& p, std::string_view id) {
  WEBHOOKS_TRY_VOID(require_write_scope(p));
  HUB_TRY(w, own_webhook(hub, p, id));
  return hub.db().delete_webhook(w.id);
}

json::object webhook_json(Hub& hub, const db::WebhookRow& w, bool with_log) {
  auto watched = json::parse(w.watched);
  auto domains = json::parse(w.domains);
  json::object o{{"id", w.uid},
                 {"url", w.url},
                 {"job", nullptr},
                 {"watched", watched ? *watched : json::value(json::array{})},
                 {"domains", domains ? *domains : json::value(json::array{})},
                 {"secret", w.secret.empty() ? json::value(nullptr) : json::value(w.secret)},
                 {"disabled", w.disabled},
                 {"createdAt", iso8601(w.created_at)},
                 {"updatedAt", iso8601(w.updated_at)}};
  if (with_log) {
    json::array log;
    if (auto ds = hub.db().webhook_deliveries(w.id, 20))
      for (const auto& d : *ds) {
        std::string repo;  // what the owner needs to tell deliveries apart
        if (auto doc = json::parse(d.payload); doc && doc->is_object())
          if (const auto* r = json::get_object(doc->as_object(), "repo"))
            repo = std::string(json::get_string(*r, "name").value_or(""));
        log.push_back(json::object{{"id", std::to_string(d.id)},
                                   {"repo", repo},
                                   {"event", d.event},
                                   {"state", d.state},
                                   {"status", d.status},
                                   {"error", d.error},
                                   {"attempts", d.attempts},
                                   {"createdAt", iso8601(d.created_at)},
                                   {"updatedAt", iso8601(d.updated_at)}});
      }
    o["deliveries"] = std::move(log);
  }
  return o;
}

void emit_repo_event(Hub& hub, const db::RepoRow& repo, std::string_view scope, std::string_view action,
                     json::object extra) {
  json::object body{{"event", json::object{{"action", action}, {"scope", scope}}}, {"repo", repo_json(repo, "")}};
  for (auto& kv : extra) body[kv.key()] = kv.value();
  queue_event(hub, repo, std::move(body));
}

void emit_refs_event(Hub& hub, const db::RepoRow& repo, const std::string& repo_path,
                     const std::vector<db::RefUpdate>& updates) {
  std::string head;
  if (auto g = storage::git::Repo::open(repo_path))
    if (auto def = g->default_branch())
      if (auto h = g->resolve_revision("refs/heads/" + *def)) head = *h;
  json::array refs;
  const std::string zero(40, '0');
  for (const auto& u : updates) {
    json::object r{{"ref", u.ref}};
    r["oldSha"] = u.old_oid == zero ? json::value(nullptr) : json::value(u.old_oid);
    r["newSha"] = u.new_oid == zero ? json::value(nullptr) : json::value(u.new_oid);
    refs.push_back(std::move(r));
  }
  json::object body{{"event", json::object{{"action", "update"}, {"scope", "repo.content"}}},
                    {"repo", repo_json(repo, head)},
                    {"updatedRefs", std::move(refs)}};
  queue_event(hub, repo, std::move(body));
}

void emit_discussion_event(Hub& hub, const db::RepoRow& repo, int64_t num, std::string_view action,
                           const db::DiscussionEventRow* comment) {
  auto d = hub.db().discussion_by_num(repo.id, num);
  if (!d) return;
  std::string base = base_url();
  std::string web = base + "/" + std::string(repo_url_prefix(repo.type)) + repo.full_id() + "/discussions/" +
                    std::to_string(num);
  std::string api = base + "/api/" + repo.type + "s/" + repo.full_id() + "/discussions/" + std::to_string(num);
  json::object disc{{"id", object_id(d->id)},
                    {"num", d->num},
                    {"author", json::object{{"id", d->author_name}}},
                    {"url", json::object{{"web", web}, {"api", api}}},
                    {"title", d->title},
                    {"isPullRequest", d->is_pr},
                    {"status", d->status},
                    {"pinned", false}};
  if (d->is_pr) {
    json::object changes{{"base", d->target_branch}};
    if (!d->merge_commit.empty()) changes["mergeCommitId"] = d->merge_commit;
    disc["changes"] = std::move(changes);
  }
  json::object body{{"event", json::object{{"action", comment ? "create" : action},
                                           {"scope", comment ? "discussion.comment" : "discussion"}}},
                    {"repo", repo_json(repo, "")},
                    {"discussion", std::move(disc)}};
  if (comment)
    body["comment"] = json::object{{"id", comment->uid},
                                   {"author", json::object{{"id", author_name(hub, *comment)}}},
                                   {"hidden", comment->hidden},
                                   {"content", comment->text},
                                   {"url", json::object{{"web", web + "#" + comment->uid}}}};
  queue_event(hub, repo, std::move(body));
}

void register_webhook_jobs(JobRunner& runner) {
  runner.handle(std::string(kEventKind), run_event, JobPolicy{5, 1000, 60'000});
  runner.handle(std::string(kDeliveryKind), run_delivery,
                JobPolicy{max_delivery_attempts() + 1, env_int("HUBD_WEBHOOK_RETRY_MS", 1000), 3600'000});
}

}  // namespace hub::services
