#include "api/handlers/repo_access.h"

#include <mutex>
#include <unordered_map>
#include <vector>

#include "api/errors.h"
#include "api/request_auth.h"
#include "http/router.h"

namespace hub::api::handlers {

namespace {
constexpr size_t kMaxIdleHandles = 128;  // bounds the fds and memory idle handles hold

class RepoPool {
 public:
  std::unique_ptr<storage::git::Repo> take(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = idle_.find(key);
    if (it == idle_.end() || it->second.empty()) return nullptr;
    auto r = std::move(it->second.back());
    it->second.pop_back();
    if (it->second.empty()) idle_.erase(it);
    --count_;
    return r;
  }
  void give(const std::string& key, std::unique_ptr<storage::git::Repo> r) {
    std::lock_guard lock(mu_);
    if (count_ >= kMaxIdleHandles) return;  // r closes here
    idle_[key].push_back(std::move(r));
    ++count_;
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::vector<std::unique_ptr<storage::git::Repo>>> idle_;
  size_t count_ = 0;
};

RepoPool& pool() {
  static RepoPool p;
  return p;
}
}  // namespace

Result<std::shared_ptr<storage::git::Repo>> pooled_repo(const std::string& uid, const std::string& path) {
  std::string key = uid + "\n" + path;
  auto r = pool().take(key);
  if (!r) {
    auto opened = storage::git::Repo::open(path);
    if (!opened) return std::unexpected(opened.error());
    r = std::make_unique<storage::git::Repo>(std::move(*opened));
  }
  return std::shared_ptr<storage::git::Repo>(r.release(), [key](storage::git::Repo* p) {
    pool().give(key, std::unique_ptr<storage::git::Repo>(p));
  });
}

http::Response OpenedRepo::error(const Error& e) const { return to_response(e, &principal); }

http::Response moved_redirect(const http::Request& req, std::string_view new_id) {
  auto segs = http::split_path(req.path);
  const std::string& ns = req.params.at("ns");
  const std::string& name = req.params.at("name");
  size_t slash = new_id.find('/');
  std::string location;
  bool replaced = false;
  for (size_t i = 0; i < segs.size(); ++i) {
    if (!replaced && i + 1 < segs.size() && http::percent_decode(segs[i]) == ns &&
        http::percent_decode(segs[i + 1]) == name) {
      location += "/" + http::percent_encode(new_id.substr(0, slash)) + "/" +
                  http::percent_encode(new_id.substr(slash + 1));
      replaced = true;
      ++i;
      continue;
    }
    location += "/";
    location += segs[i];
  }
  if (size_t q = req.target.find('?'); q != std::string::npos) location += req.target.substr(q);
  auto r = http::Response::error(307, "Repository moved to " + std::string(new_id));
  r.set_header("Location", location);
  return r;
}

std::variant<OpenedRepo, http::Response> open_repo_for(Context& ctx, http::Request& req, std::string_view type,
                                                       services::Access need) {
  auto p = principal_of(ctx.hub, req);
  if (!p) return to_response(p.error());
  auto h = services::open_repo(ctx.hub, *p, type, req.params["ns"], req.params["name"], need);
  if (!h) {
    if (h.error().detail == Detail::RepoMoved) return moved_redirect(req, h.error().message);
    return to_response(h.error(), &*p);
  }
  auto repo = pooled_repo(h->row.uid, h->path);
  if (!repo) return to_response(repo.error(), &*p);
  storage::git::Repo& ref = **repo;
  return OpenedRepo{std::move(*p), std::move(*h), std::move(*repo), ref, std::string(type)};
}

}  // namespace hub::api::handlers
