#include "web/repo_summary.h"

#include "tensorboard/scalars.h"

namespace hub::web {

namespace {
constexpr size_t kMaxSmallFile = 4 * 1024 * 1024;
}

Result<RepoSummary> build_summary(storage::git::Repo& repo, const std::string& commit) {
  RepoSummary s;
  s.commit = commit;
  auto entries = repo.list_tree(commit, "", true);
  if (!entries) return std::unexpected(entries.error());
  s.entries = std::move(*entries);
  services::metadata::RepoFiles files;
  // The texts must outlive build_repo_metadata (RepoFiles borrows them).
  std::map<std::string, std::string> texts;
  for (auto& e : s.entries) {
    if (e.type != storage::git::EntryType::file) continue;
    uint64_t size = e.lfs ? e.lfs->size : e.size;
    s.total_size += size;
    ++s.file_count;
    files.files.push_back({e.path, size});
    if (tensorboard::is_event_file(e.path)) s.event_files.push_back(e.path);
    static const char* kSmall[] = {"README.md", "config.json", "tokenizer_config.json", "model_index.json",
                                   "adapter_config.json", ".gitattributes"};
    for (const char* name : kSmall) {
      if (e.path == name && !e.lfs && e.size <= kMaxSmallFile) {
        if (auto b = repo.read_blob_oid(e.oid, kMaxSmallFile)) texts[name] = std::move(*b);
      }
    }
  }
  auto text = [&](const char* name) -> std::optional<std::string_view> {
    auto it = texts.find(name);
    if (it == texts.end()) return std::nullopt;
    return std::string_view(it->second);
  };
  files.readme = text("README.md");
  files.config_json = text("config.json");
  files.tokenizer_config_json = text("tokenizer_config.json");
  files.model_index_json = text("model_index.json");
  files.adapter_config_json = text("adapter_config.json");
  files.gitattributes = text(".gitattributes");
  s.metadata = services::metadata::build_repo_metadata(files);
  if (files.readme) {
    s.has_readme = true;
    s.readme = std::string(*files.readme);
  }
  return s;
}

Result<std::shared_ptr<const RepoSummary>> SummaryCache::get(const std::string& repo_path, storage::git::Repo& repo,
                                                             const std::string& commit) {
  std::string key = repo_path + "@" + commit;
  {
    std::lock_guard lock(mu_);
    if (auto it = map_.find(key); it != map_.end()) return it->second;
  }
  // Built outside the lock: two requests may race to build the same entry; both results are equal.
  auto s = build_summary(repo, commit);
  if (!s) return std::unexpected(s.error());
  auto ptr = std::make_shared<const RepoSummary>(std::move(*s));
  std::lock_guard lock(mu_);
  if (!map_.contains(key)) {
    map_[key] = ptr;
    order_.push_back(key);
    while (map_.size() > capacity_) {
      map_.erase(order_.front());
      order_.pop_front();
    }
  }
  return ptr;
}

}  // namespace hub::web
