#include "services/repo_view.h"

#include <list>
#include <mutex>
#include <unordered_map>

#include "storage/git/repo.h"
#include "storage/git/tree_limits.h"

namespace hub::services {

namespace git = storage::git;

namespace {
constexpr size_t kMaxSmallFile = 4u << 20;  // README/config files larger than this are skipped
// Cache budget in files across all cached views (a view costs ~200 bytes per file).
constexpr size_t kCacheFileBudget = 1'000'000;
constexpr size_t kCacheMaxViews = 512;
}  // namespace

json::array RepoView::siblings_json(bool blobs) const {
  json::array out;
  out.reserve(files.size());
  for (const auto& f : files) {
    json::object o{{"rfilename", f.path}};
    if (blobs) {
      o["size"] = f.size;
      o["blobId"] = f.blob_id;
      if (f.lfs)
        o["lfs"] = json::object{{"sha256", f.sha256}, {"size", f.size}, {"pointerSize", f.pointer_size}};
    }
    out.push_back(std::move(o));
  }
  return out;
}

Result<RepoView> build_repo_view(const storage::db::RepoRow& row, const std::string& repo_path,
                                 std::string_view commit) {
  HUB_TRY(repo, git::Repo::open(repo_path));
  HUB_TRY(info, repo.commit_info(commit));
  // Bounded like every walk (tree_limits.h); a tree over the limit (the limit was lowered after
  // it was pushed) shows its first max_entries entries and says so.
  size_t max_entries = git::tree_limits().max_entries;
  HUB_TRY(page, repo.list_tree_page(commit, "", true, 0, max_entries));
  auto& entries = page.entries;
  RepoView v;
  v.files_truncated = page.more;
  v.commit = std::string(commit);
  v.commit_date = info.committer_date.empty() ? info.date : info.committer_date;

  metadata::RepoFiles files;
  files.repo_type = row.type;
  // Owned copies of the small files; RepoFiles holds views into them.
  std::unordered_map<std::string, std::string> texts;
  static const char* kWanted[] = {"README.md", "config.json", "tokenizer_config.json", "model_index.json",
                                  "adapter_config.json", ".gitattributes"};
  for (auto& e : entries) {
    if (e.type != git::EntryType::file) continue;
    RepoViewFile f;
    f.path = e.path;
    f.blob_id = e.oid;
    f.size = e.lfs ? e.lfs->size : e.size;
    if (e.lfs) {
      f.lfs = true;
      f.sha256 = e.lfs->oid;
      f.pointer_size = e.lfs->pointer_size ? e.lfs->pointer_size : e.size;
    }
    v.used_storage += f.size;
    files.files.push_back(metadata::RepoFile{f.path, f.size});
    if (!e.lfs && e.size <= kMaxSmallFile) {
      for (const char* w : kWanted) {
        if (e.path != w) continue;
        // A file that cannot be read is left out of the metadata, as an absent one would be.
        if (auto text = repo.read_blob_oid(e.oid, kMaxSmallFile)) texts[e.path] = std::move(*text);
      }
    }
    v.files.push_back(std::move(f));
  }
  auto view_of = [&](const char* name) -> std::optional<std::string_view> {
    auto it = texts.find(name);
    if (it == texts.end()) return std::nullopt;
    return std::string_view(it->second);
  };
  files.readme = view_of("README.md");
  files.config_json = view_of("config.json");
  files.tokenizer_config_json = view_of("tokenizer_config.json");
  files.model_index_json = view_of("model_index.json");
  files.adapter_config_json = view_of("adapter_config.json");
  files.gitattributes = view_of(".gitattributes");
  // Hook (issue 5): files.base_model_pipeline_tag can answer from the listing index.
  v.metadata = metadata::build_repo_metadata(files);
  v.api_metadata = metadata::to_api_json(v.metadata);
  return v;
}

namespace {
class ViewCache {
 public:
  std::shared_ptr<const RepoView> get(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->second;
  }
  void put(const std::string& key, std::shared_ptr<const RepoView> v) {
    std::lock_guard lock(mu_);
    if (map_.count(key)) return;
    files_ += v->files.size();
    lru_.emplace_front(key, std::move(v));
    map_[key] = lru_.begin();
    while (!lru_.empty() && (files_ > kCacheFileBudget || lru_.size() > kCacheMaxViews)) {
      files_ -= lru_.back().second->files.size();
      map_.erase(lru_.back().first);
      lru_.pop_back();
    }
  }

 private:
  using Entry = std::pair<std::string, std::shared_ptr<const RepoView>>;
  std::mutex mu_;
  std::list<Entry> lru_;
  std::unordered_map<std::string, std::list<Entry>::iterator> map_;
  size_t files_ = 0;
};

ViewCache& cache() {
  static ViewCache c;
  return c;
}
}  // namespace

Result<std::shared_ptr<const RepoView>> cached_repo_view(const storage::db::RepoRow& row,
                                                         const std::string& repo_path,
                                                         std::string_view commit) {
  // The uid and the creation date are in the key because the derived metadata depends on them
  // (a deleted and re-created repo at the same path is a different repo).
  std::string key = row.uid + "\n" + std::to_string(row.created_at) + "\n" + repo_path + "\n" + std::string(commit);
  if (auto hit = cache().get(key)) return hit;
  HUB_TRY(v, build_repo_view(row, repo_path, commit));
  auto shared = std::make_shared<const RepoView>(std::move(v));
  cache().put(key, shared);
  return std::shared_ptr<const RepoView>(shared);
}

}  // namespace hub::services
