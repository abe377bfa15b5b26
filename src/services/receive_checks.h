// Receive-side checks of a git push. receive_pack_setup says how git receive-pack runs here:
// with its input capped (receive.maxInputSize, so git itself tells the user the pack is too
// large) and with a pre-receive hook (core.hooksPath=<scratch>/hooks: node-local, as it names
// this node's binary) that runs
// `hubd git-hook pre-receive`, which is run_pre_receive_hook: after git has received and
// indexed the pack into its quarantine and before any ref moves, it checks every new commit's
// tree against the tree limits (storage/git/tree_limits.h), then each new branch tip's
// README.md metadata as the commit API does (metadata/card_validation.h; a README the push
// leaves unchanged is not re-judged). A refusal refuses the whole push,
// its message reaches the user as "remote: ..." lines, and the quarantined objects are dropped.
// The hook runs in git's child process, so even a tree bomb costs the server nothing.
// Thread-safe (receive_pack_setup installs the hook script idempotently).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "services/hub.h"

namespace hub::services {

struct ReceivePackSetup {
  std::vector<std::string> config;  // "key=value" for git -c
  std::vector<std::string> env;     // "KEY=VALUE" for receive-pack and its hook
  uint64_t max_body_bytes = 0;      // the request body (inflated) the handler lets through
};

Result<ReceivePackSetup> receive_pack_setup(const Hub& hub);

// A push by a user without write access (a PR's author, issue 17) may move only these refs
// (their open PRs' refs/pr/N), and delete none: the hook refuses anything else. Passed to
// receive-pack's environment as HUBD_PUSH_ONLY_REFS (space-separated).
inline constexpr const char* kPushOnlyRefsEnv = "HUBD_PUSH_ONLY_REFS";

// The hook's work: `updates` is what git wrote on the hook's stdin, `env` looks variables up
// (GIT_QUARANTINE_PATH, HUBD_MAX_TREE_ENTRIES, HUBD_MAX_TREE_DEPTH, HUBD_PUSH_ONLY_REFS), repo_dir is the bare repo
// (the hook's working directory). Returns 0 to accept; otherwise `message` says why, for the user.
int run_pre_receive_hook(const std::string& repo_dir, std::string_view updates,
                         const std::function<const char*(const char*)>& env, std::string& message);

}  // namespace hub::services
