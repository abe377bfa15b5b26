#include "services/receive_checks.h"

#include <charconv>
#include <functional>

#include "services/metadata/card_validation.h"
#include "storage/git/pack_process.h"
#include "storage/git/tree_limits.h"

namespace hub::services {

namespace git = storage::git;

namespace {

// Room for the ref update commands that precede the pack in a push request.
constexpr uint64_t kCommandsSlack = uint64_t(1) << 20;

std::optional<size_t> env_size(const std::function<const char*(const char*)>& env, const char* name) {
  const char* v = env(name);
  if (!v || !*v) return std::nullopt;
  size_t n = 0;
  std::string_view s(v);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || p != s.data() + s.size() || n == 0) return std::nullopt;
  return n;
}

}  // namespace

Result<ReceivePackSetup> receive_pack_setup(const Hub& hub) {
  const Limits& l = hub.config().limits;
  ReceivePackSetup s;
  s.config.push_back("receive.maxInputSize=" + std::to_string(l.max_push_bytes));
  s.max_body_bytes = l.max_push_bytes + kCommandsSlack;
  if (!l.hook_binary.empty()) {
    std::string dir = hub.scratch_dir() + "/hooks";  // node-local: names this node's binary
    if (auto r = git::install_pre_receive_hook(dir); !r) return std::unexpected(r.error());
    s.config.push_back("core.hooksPath=" + dir);
    s.env.push_back("HUBD_HOOK_BIN=" + l.hook_binary);
    s.env.push_back("HUBD_MAX_TREE_ENTRIES=" + std::to_string(l.tree.max_entries));
    s.env.push_back("HUBD_MAX_TREE_DEPTH=" + std::to_string(l.tree.max_depth));
  }
  return s;
}

int run_pre_receive_hook(const std::string& repo_dir, std::string_view updates,
                         const std::function<const char*(const char*)>& env, std::string& message) {
  git::PushCheckOptions opts;
  if (auto n = env_size(env, "HUBD_MAX_TREE_ENTRIES")) opts.limits.max_entries = *n;
  if (auto n = env_size(env, "HUBD_MAX_TREE_DEPTH")) opts.limits.max_depth = *n;
  if (const char* q = env("GIT_QUARANTINE_PATH"); q && *q) opts.object_dirs.push_back(q);
  // A branch tip's README.md must have valid metadata, as a commit through the API must
  // (same validator, same words); a README the push does not change is not re-judged.
  opts.tip_file = "README.md";
  opts.check_tip_file = [](std::string_view, std::string_view content) { return metadata::check_card(content); };
  auto refs = git::parse_pushed_refs(updates);
  if (!refs) {
    message = "hubd: push refused: " + refs.error().message;
    return 1;
  }
  if (const char* only = env(kPushOnlyRefsEnv)) {
    std::string allowed = std::string(" ") + only + " ";
    for (const auto& u : *refs) {
      if (allowed.find(" " + u.ref + " ") == std::string::npos) {
        message = "hubd: push refused: you don't have write access to " + u.ref +
                  "; without it you can push only to your open pull requests (refs/pr/N)";
        return 1;
      }
      if (u.new_oid == std::string(40, '0')) {
        message = "hubd: push refused: you cannot delete " + u.ref;
        return 1;
      }
    }
  }
  auto r = git::check_push(repo_dir, *refs, opts);
  if (r) return 0;
  message = "hubd: push refused: " + r.error().message;
  // Multi-line reasons (the card's errors) reach git as one "remote:" line each.
  for (size_t at = 0; (at = message.find('\n', at)) != std::string::npos; at += 7) message.replace(at, 1, "\nhubd: ");
  if (r.error().code == Errc::too_large)
    message += "\nhubd: this hub's limits: " + std::to_string(opts.limits.max_entries) +
               " files and folders per commit (HUBD_MAX_TREE_ENTRIES), " + std::to_string(opts.limits.max_depth) +
               " nested folders (HUBD_MAX_TREE_DEPTH)";
  return 1;
}

}  // namespace hub::services
