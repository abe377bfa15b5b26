#include "services/discussions.h"

#include <algorithm>
#include <charconv>

#include "core/hash.h"
#include "core/json.h"
#include "core/log.h"
#include "core/time.h"
#include "services/commits.h"
#include "services/refs_changed.h"
#include "services/webhooks.h"
#include "storage/git/diff.h"
#include "storage/git/merge.h"
#include "storage/git/repo.h"

namespace hub::services {

namespace db = storage::db;
namespace git = storage::git;

namespace {

constexpr size_t kMaxTitle = 200, kMinTitle = 3;
constexpr size_t kMaxComment = 64 * 1024;
constexpr size_t kMaxDiffBytes = size_t(1) << 20;
constexpr size_t kMaxCommitEvents = 100;

std::string trim(std::string_view s) {
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return std::string(s);
}

Result<std::string> valid_title(std::string_view raw) {
  std::string t = trim(raw);
  if (t.size() < kMinTitle || t.size() > kMaxTitle)
    return fail(Errc::invalid_argument, "The title must be between 3 and 200 characters long");
  if (t.find('\n') != std::string::npos) return fail(Errc::invalid_argument, "The title must be a single line");
  return t;
}

Result<std::string> valid_comment(std::string_view raw) {
  std::string t = trim(raw);
  if (t.empty()) return fail(Errc::invalid_argument, "The comment must not be empty");
  if (t.size() > kMaxComment) return fail(Errc::invalid_argument, "The comment is too long (limit 65536 bytes)");
  return t;
}

std::string new_event_uid() { return hex_encode(random_bytes(12)); }

db::DiscussionEventRow make_event(int64_t discussion_id, std::string type, int64_t author_id, std::string text,
                                  std::string extra = {}) {
  db::DiscussionEventRow e;
  e.discussion_id = discussion_id;
  e.uid = new_event_uid();
  e.type = std::move(type);
  e.author_id = author_id;
  e.text = std::move(text);
  e.extra = std::move(extra);
  e.created_at = e.updated_at = now_ms();
  return e;
}

struct Opened {
  RepoHandle repo;
  db::DiscussionRow d;
};

Result<RepoHandle> open(Hub& hub, const Principal& p, RepoRef r, Access need) {
  auto h = open_repo(hub, p, r.type, r.ns, r.name, need);
  if (!h && h.error().detail == Detail::RepoMoved) return fail(Errc::not_found, "Repository not found", Detail::RepoNotFound);
  return h;
}

Result<Opened> open_discussion(Hub& hub, const Principal& p, RepoRef r, int64_t num, Access need) {
  HUB_TRY(h, open(hub, p, r, need));
  if (num <= 0) return fail(Errc::not_found, "Discussion not found");
  HUB_TRY(d, hub.db().discussion_by_num(h.row.id, num));
  return Opened{std::move(h), std::move(d)};
}

bool is_author(const Principal& p, int64_t author_id) { return p.account && p.account->id == author_id; }

Result<void> require_author_or_writer(Hub& hub, const Principal& p, const Opened& o, std::string_view what) {
  if (is_author(p, o.d.author_id) || can_write(hub, p, o.repo.row)) return {};
  return fail(Errc::forbidden, "Only the author of this discussion or a repo maintainer can " + std::string(what));
}

std::string pr_ref(int64_t num) { return "refs/pr/" + std::to_string(num); }

int64_t max_pr_ref(const git::Repo& g) {
  int64_t n = 0;
  if (auto refs = g.list_refs())
    for (const auto& r : refs->pull_requests) {
      try {
        n = std::max<int64_t>(n, std::stoll(r.name));
      } catch (...) {
      }
    }
  return n;
}

std::string history_json(const CommentHistory& h) {
  json::array before;
  for (const auto& e : h.before) before.push_back(json::object{{"raw", e.raw}, {"at", e.at}, {"editor", e.editor}});
  return json::serialize(json::object{{"editor", h.editor}, {"before", before}});
}

}  // namespace

CommentHistory comment_history(const db::DiscussionEventRow& e) {
  CommentHistory h;
  if (e.extra.empty()) return h;
  auto v = json::parse(e.extra);
  if (!v || !v->is_object()) return h;
  const auto& o = v->as_object();
  h.editor = std::string(json::get_string(o, "editor").value_or(""));
  if (auto* a = json::get_array(o, "before"))
    for (const auto& x : *a) {
      if (!x.is_object()) continue;
      const auto& xo = x.as_object();
      h.before.push_back({std::string(json::get_string(xo, "raw").value_or("")), json::get_int(xo, "at").value_or(0),
                          std::string(json::get_string(xo, "editor").value_or(""))});
    }
  return h;
}

Result<DiscussionList> list_discussions(Hub& hub, const Principal& p, RepoRef r, const DiscussionFilter& f) {
  HUB_TRY(h, open(hub, p, r, Access::read));
  db::DiscussionQuery q;
  q.repo_id = h.row.id;
  if (f.type == "discussion") q.is_pr = false;
  else if (f.type == "pull_request") q.is_pr = true;
  else if (!f.type.empty() && f.type != "all")
    return fail(Errc::invalid_argument, "type must be one of all, discussion, pull_request");
  if (f.status == "open") q.open = true;
  else if (f.status == "closed") q.open = false;
  else if (!f.status.empty() && f.status != "all") return fail(Errc::invalid_argument, "status must be one of all, open, closed");
  if (f.page < 0) return fail(Errc::invalid_argument, "p must be a page number");
  q.offset = f.page * kDiscussionsPerPage;
  q.limit = kDiscussionsPerPage;
  DiscussionList out{h.row, {}, q.offset};
  if (!f.author.empty()) {
    auto a = hub.db().account_by_name(f.author);
    if (!a) {
      if (a.error().code != Errc::not_found) return std::unexpected(a.error());
      return out;  // nobody by that name wrote anything here
    }
    q.author_id = a->id;
  }
  HUB_TRY(page, hub.db().list_discussions(q));
  out.page = std::move(page);
  return out;
}

Result<db::DiscussionRow> create_discussion(Hub& hub, const Principal& p, RepoRef r, std::string_view title,
                                            std::string_view description, bool pull_request) {
  HUB_TRY(h, open(hub, p, r, Access::contribute));
  HUB_TRY(t, valid_title(title));
  std::string desc = trim(description);
  if (desc.size() > kMaxComment) return fail(Errc::invalid_argument, "The description is too long (limit 65536 bytes)");
  int64_t at = now_ms();
  db::DiscussionRow d;
  d.repo_id = h.row.id;
  d.author_id = p.account->id;
  d.title = t;
  d.is_pr = pull_request;
  d.status = pull_request ? "draft" : "open";
  d.created_at = d.updated_at = at;
  auto first = make_event(0, "comment", p.account->id, desc);
  if (!pull_request) {
    HUB_TRY(made, hub.db().create_discussion(d, first, 1));
    emit_discussion_event(hub, h.row, made.first.num, "create");
    return made.first;
  }
  HUB_TRY(g, git::Repo::open(h.path));
  HUB_TRY(def, g.default_branch());
  d.target_branch = "refs/heads/" + def;
  HUB_TRY(head, g.resolve_revision(d.target_branch));
  for (int attempt = 0; attempt < 20; ++attempt) {
    first.uid = new_event_uid();
    HUB_TRY(made, hub.db().create_discussion(d, first, max_pr_ref(g) + 1));
    auto moved = g.update_ref_cas(pr_ref(made.first.num), head, "", "hubd: open pull request");
    if (moved) {
      on_refs_updated(hub, h, {db::RefUpdate{h.row.id, pr_ref(made.first.num), std::string(40, '0'), head, now_ms()}});
      emit_discussion_event(hub, h.row, made.first.num, "create");
      return made.first;
    }
    drop_discussion(hub, made.first.id);
    if (moved.error().code != Errc::conflict) return std::unexpected(moved.error());
  }
  return fail(Errc::conflict, "Could not allocate a pull request number; please retry");
}

Result<DiscussionDetails> discussion_details(Hub& hub, const Principal& p, RepoRef r, int64_t num, bool with_diff) {
  // A PR's diff shows file bytes: past the gate of a gated repo (services/gating.h).
  HUB_TRY(o, open_discussion(hub, p, r, num, with_diff ? Access::content : Access::read));
  HUB_TRY(events, hub.db().discussion_events(o.d.id));
  DiscussionDetails out;
  out.repo = o.repo.row;
  out.discussion = o.d;
  out.events = std::move(events);
  out.can_write = can_write(hub, p, o.repo.row);
  if (!o.d.is_pr) return out;
  HUB_TRY(g, git::Repo::open(o.repo.path));
  out.head = g.resolve_revision(pr_ref(num)).value_or("");
  out.target_head = g.resolve_revision(o.d.target_branch).value_or("");
  if (out.head.empty() || out.target_head.empty()) return out;
  if (o.d.status == "merged") {
    // What the merge brought in: from the merge commit's first parent, or, for a fast-forward
    // (the merge "commit" is the PR head), from the parent of the PR's first pushed commit.
    std::string from;
    if (auto info = g.commit_info(o.d.merge_commit); info && info->id != out.head && !info->parents.empty()) {
      from = info->parents[0];
    } else {
      for (const auto& e : out.events)
        if (e.type == "commit") {
          if (auto c = g.commit_info(e.extra); c && !c->parents.empty()) from = c->parents[0];
          break;
        }
    }
    if (!from.empty()) out.diff_from = git::merge_base(g, from, out.head).value_or("");
    if (with_diff)
      out.diff = out.diff_from.empty() ? "" : git::diff_patch_text(g, out.diff_from, out.head, kMaxDiffBytes).value_or("");
    return out;
  }
  out.diff_from = git::merge_base(g, out.target_head, out.head).value_or("");
  if (with_diff)
    out.diff = out.diff_from.empty() ? "" : git::diff_patch_text(g, out.diff_from, out.head, kMaxDiffBytes).value_or("");
  auto ff = git::is_ancestor(g, out.target_head, out.head);
  if (ff && !*ff) {
    git::CommitOptions opts{"check", "", signature_of(p), std::nullopt};
    if (auto m = git::merge_commits(g, out.target_head, out.head, opts, true)) out.conflicts = m->conflicts;
  }
  return out;
}

Result<db::DiscussionEventRow> comment_discussion(Hub& hub, const Principal& p, RepoRef r, int64_t num,
                                                  std::string_view text) {
  HUB_TRY(o, open_discussion(hub, p, r, num, Access::contribute));
  HUB_TRY(c, valid_comment(text));
  HUB_TRY(e, hub.db().add_discussion_event(make_event(o.d.id, "comment", p.account->id, c)));
  (void)hub.db().update_discussion(o.d.id, std::nullopt, std::nullopt, std::nullopt, e.created_at);
  emit_discussion_event(hub, o.repo.row, num, "create", &e);
  return e;
}

Result<db::DiscussionEventRow> edit_discussion_comment(Hub& hub, const Principal& p, RepoRef r, int64_t num,
                                                       std::string_view comment_id, std::string_view text) {
  HUB_TRY(o, open_discussion(hub, p, r, num, Access::contribute));
  HUB_TRY(e, hub.db().discussion_event(o.d.id, comment_id));
  if (e.type != "comment") return fail(Errc::invalid_argument, "Only comments can be edited");
  if (!is_author(p, e.author_id)) return fail(Errc::forbidden, "Only the author of a comment can edit it");
  if (e.hidden) return fail(Errc::invalid_argument, "This comment is hidden and cannot be edited");
  HUB_TRY(c, valid_comment(text));
  CommentHistory h = comment_history(e);
  h.before.push_back({e.text, e.updated_at, h.editor.empty() ? e.author_name : h.editor});
  h.editor = p.account->name;
  e.text = c;
  e.extra = history_json(h);
  e.updated_at = now_ms();
  if (auto u = hub.db().update_discussion_event(e); !u) return std::unexpected(u.error());
  return e;
}

Result<db::DiscussionEventRow> hide_discussion_comment(Hub& hub, const Principal& p, RepoRef r, int64_t num,
                                                       std::string_view comment_id) {
  HUB_TRY(o, open_discussion(hub, p, r, num, Access::contribute));
  HUB_TRY(e, hub.db().discussion_event(o.d.id, comment_id));
  if (e.type != "comment") return fail(Errc::invalid_argument, "Only comments can be hidden");
  if (!is_author(p, e.author_id) && !can_write(hub, p, o.repo.row))
    return fail(Errc::forbidden, "Only the author of a comment or a repo maintainer can hide it");
  // Hiding is irreversible and the text is gone for good, as the Hub says.
  CommentHistory h = comment_history(e);
  h.before.clear();
  h.editor = p.account->name;
  e.text.clear();
  e.extra = history_json(h);
  e.hidden = true;
  e.updated_at = now_ms();
  if (auto u = hub.db().update_discussion_event(e); !u) return std::unexpected(u.error());
  return e;
}

Result<db::DiscussionEventRow> rename_discussion(Hub& hub, const Principal& p, RepoRef r, int64_t num,
                                                 std::string_view title) {
  HUB_TRY(o, open_discussion(hub, p, r, num, Access::contribute));
  if (auto a = require_author_or_writer(hub, p, o, "rename it"); !a) return std::unexpected(a.error());
  HUB_TRY(t, valid_title(title));
  HUB_TRY(e, hub.db().add_discussion_event(make_event(o.d.id, "title-change", p.account->id, t, o.d.title)));
  if (auto u = hub.db().update_discussion(o.d.id, t, std::nullopt, std::nullopt, e.created_at); !u)
    return std::unexpected(u.error());
  return e;
}

Result<db::DiscussionEventRow> change_discussion_status(Hub& hub, const Principal& p, RepoRef r, int64_t num,
                                                        std::string_view status, std::string_view comment) {
  HUB_TRY(o, open_discussion(hub, p, r, num, Access::contribute));
  if (status != "open" && status != "closed") return fail(Errc::invalid_argument, "status must be \"open\" or \"closed\"");
  if (auto a = require_author_or_writer(hub, p, o, "change its status"); !a) return std::unexpected(a.error());
  if (o.d.status == "merged") return fail(Errc::invalid_argument, "This pull request is merged; its status cannot change");
  if (o.d.status == status) return fail(Errc::invalid_argument, "This discussion is already " + std::string(status));
  if (!trim(comment).empty()) {
    HUB_TRY(c, valid_comment(comment));
    HUB_TRY(ce, hub.db().add_discussion_event(make_event(o.d.id, "comment", p.account->id, c)));
    (void)ce;
  }
  HUB_TRY(e, hub.db().add_discussion_event(make_event(o.d.id, "status-change", p.account->id, std::string(status))));
  if (auto u = hub.db().update_discussion(o.d.id, std::nullopt, std::string(status), std::nullopt, e.created_at); !u)
    return std::unexpected(u.error());
  emit_discussion_event(hub, o.repo.row, num, "update");
  return e;
}

Result<db::DiscussionEventRow> merge_pull_request(Hub& hub, const Principal& p, RepoRef r, int64_t num,
                                                  std::string_view comment) {
  HUB_TRY(o, open_discussion(hub, p, r, num, Access::write));
  if (!o.d.is_pr) return fail(Errc::invalid_argument, "This is a discussion, not a pull request: nothing to merge");
  if (o.d.status == "merged") return fail(Errc::invalid_argument, "This pull request is already merged");
  if (o.d.status == "draft")
    return fail(Errc::invalid_argument, "This pull request is a draft: publish it (set its status to open) before merging");
  if (o.d.status != "open") return fail(Errc::invalid_argument, "This pull request is closed: reopen it before merging");
  HUB_TRY(g, git::Repo::open(o.repo.path));
  auto head = g.resolve_revision(pr_ref(num));
  if (!head) return fail(Errc::invalid_argument, "The git reference of this pull request no longer exists");
  auto target = g.resolve_revision(o.d.target_branch);
  if (!target) return fail(Errc::invalid_argument, "The target branch " + o.d.target_branch + " no longer exists");
  HUB_TRY(already, git::is_ancestor(g, *head, *target));
  if (already) return fail(Errc::invalid_argument, "This pull request has no changes to merge");
  HUB_TRY(ff, git::is_ancestor(g, *target, *head));
  std::string new_head = *head;
  if (!ff) {
    std::string summary = "Merge pull request #" + std::to_string(num) + ": " + o.d.title;
    git::CommitOptions opts{summary, "Merged " + pr_ref(num) + " into " + o.d.target_branch, signature_of(p),
                            std::nullopt};
    HUB_TRY(m, git::merge_commits(g, *target, *head, opts));
    if (!m.conflicts.empty()) {
      std::string files;
      for (const auto& f : m.conflicts) files += (files.empty() ? "" : ", ") + f;
      return fail(Errc::conflict, "This Pull Request has conflicts with " + o.d.target_branch +
                                      " and cannot be merged. Conflicting files: " + files);
    }
    new_head = m.commit;
  }
  if (auto moved = g.update_ref_cas(o.d.target_branch, new_head, *target, "hubd: merge " + pr_ref(num)); !moved) {
    if (moved.error().code == Errc::conflict)
      return fail(Errc::conflict, "The target branch was updated while merging; please retry");
    return std::unexpected(moved.error());
  }
  on_refs_updated(hub, o.repo, {db::RefUpdate{o.repo.row.id, o.d.target_branch, *target, new_head, now_ms()}});
  if (!trim(comment).empty()) {
    if (auto c = valid_comment(comment))
      (void)hub.db().add_discussion_event(make_event(o.d.id, "comment", p.account->id, *c));
  }
  HUB_TRY(e, hub.db().add_discussion_event(make_event(o.d.id, "status-change", p.account->id, "merged")));
  if (auto u = hub.db().update_discussion(o.d.id, std::nullopt, std::string("merged"), new_head, e.created_at); !u)
    return std::unexpected(u.error());
  emit_discussion_event(hub, o.repo.row, num, "update");
  return e;
}

Result<db::DiscussionRow> open_pr_for_commit(Hub& hub, const Principal& p, const db::RepoRow& repo,
                                             std::string_view summary, std::string_view description,
                                             std::string_view target_ref, int64_t min_num) {
  if (!p.account) return fail(Errc::unauthenticated, "You must be logged in to open a pull request");
  std::string title = trim(summary);
  if (title.size() > kMaxTitle) title.resize(kMaxTitle);
  while (title.size() < kMinTitle) title += '.';
  db::DiscussionRow d;
  d.repo_id = repo.id;
  d.author_id = p.account->id;
  d.title = title;
  d.is_pr = true;
  d.status = "open";
  d.target_branch = std::string(target_ref);
  d.created_at = d.updated_at = now_ms();
  std::string desc = trim(description);
  if (desc.size() > kMaxComment) desc.resize(kMaxComment);
  HUB_TRY(made, hub.db().create_discussion(d, make_event(0, "comment", p.account->id, desc), min_num));
  emit_discussion_event(hub, repo, made.first.num, "create");
  return made.first;
}

bool is_own_open_pr(Hub& hub, const Principal& p, const db::RepoRow& repo, std::string_view ref) {
  if (!p.account || !p.can_write_scope() || !ref.starts_with("refs/pr/")) return false;
  int64_t num = 0;
  std::string_view n = ref.substr(8);
  auto [ptr, ec] = std::from_chars(n.data(), n.data() + n.size(), num);
  if (ec != std::errc() || ptr != n.data() + n.size()) return false;
  auto d = hub.db().discussion_by_num(repo.id, num);
  return d && d->is_pr && d->author_id == p.account->id && (d->status == "open" || d->status == "draft");
}

std::vector<std::string> own_open_pr_refs(Hub& hub, const Principal& p, const db::RepoRow& repo) {
  std::vector<std::string> out;
  if (!p.account || !p.can_write_scope()) return out;
  db::DiscussionQuery q;
  q.repo_id = repo.id;
  q.author_id = p.account->id;
  q.is_pr = true;
  q.open = true;
  q.limit = 1000;
  auto page = hub.db().list_discussions(q);
  if (!page) return out;
  for (const auto& d : page->items) out.push_back("refs/pr/" + std::to_string(d.num));
  return out;
}

void drop_discussion(Hub& hub, int64_t discussion_id) {
  if (auto r = hub.db().delete_discussion(discussion_id); !r)
    log::warn("cannot drop a discussion", {{"error", r.error().message}});
}

void record_pr_commits(Hub& hub, const RepoHandle& repo, const std::vector<db::RefUpdate>& updates) {
  const std::string zero(40, '0');
  std::optional<git::Repo> g;
  for (const auto& u : updates) {
    if (!u.ref.starts_with("refs/pr/") || u.new_oid == zero) continue;
    int64_t num = 0;
    try {
      num = std::stoll(u.ref.substr(8));
    } catch (...) {
      continue;
    }
    auto d = hub.db().discussion_by_num(repo.row.id, num);
    if (!d || !d->is_pr) continue;
    if (!g) {
      auto opened = git::Repo::open(repo.path);
      if (!opened) return;
      g.emplace(std::move(*opened));
    }
    std::vector<std::string> hide;
    if (u.old_oid != zero) hide.push_back(u.old_oid);
    if (auto t = g->resolve_revision(d->target_branch)) hide.push_back(*t);
    auto commits = git::commits_since(*g, u.new_oid, hide, kMaxCommitEvents);
    if (!commits) {
      log::warn("cannot list a pull request's new commits", {{"repo", repo.row.full_id()}, {"error", commits.error().message}});
      continue;
    }
    for (const auto& c : *commits) {
      int64_t author = d->author_id;
      if (auto a = hub.db().account_by_name(c.author_name)) author = a->id;
      (void)hub.db().add_discussion_event(make_event(d->id, "commit", author, c.title, c.id));
    }
    if (!commits->empty()) (void)hub.db().update_discussion(d->id, std::nullopt, std::nullopt, std::nullopt, now_ms());
  }
}

}  // namespace hub::services
