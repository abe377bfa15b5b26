// Subprocess: a child process started with posix_spawn (no shell, no fork of our heap), with
// its stdin and stdout on pipes the caller reads/writes directly (for streaming through Asio)
// and its stderr captured in memory. Owns the pipe fds (O_CLOEXEC) and the child: the
// destructor kills the child's process group (SIGKILL) if it was not waited for, and reaps it.
// The child runs in its own process group with default signal dispositions and an empty mask.
// Writing to stdin after the child exited raises SIGPIPE: servers should ignore SIGPIPE
// (signal(SIGPIPE, SIG_IGN)) and handle EPIPE.
// Thread-safety: one owner at a time; fds may be handed to an event loop that outlives
// neither this object nor the close calls.
#pragma once

#include <sys/types.h>

#include <csignal>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace hub::storage::git {

struct ExitStatus {
  int code = -1;   // exit code when it exited normally, else -1
  int signal = 0;  // terminating signal, 0 if it exited normally
  bool ok() const { return signal == 0 && code == 0; }
};

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] is searched in PATH
  std::vector<std::string> env;   // "KEY=VALUE": the child's whole environment
  bool nonblocking = false;       // set O_NONBLOCK on the parent's pipe ends
  size_t stderr_cap = 64 * 1024;  // stderr_text() returns at most this many bytes
};

class Subprocess {
 public:
  static Result<Subprocess> spawn(const SpawnOptions& opts);

  Subprocess(Subprocess&& o) noexcept;
  Subprocess& operator=(Subprocess&& o) noexcept;
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;
  ~Subprocess();

  pid_t pid() const { return pid_; }
  // Parent ends of the pipes; -1 once closed. Still owned by this object.
  int stdin_fd() const { return stdin_fd_; }
  int stdout_fd() const { return stdout_fd_; }
  // Signals end of input to the child. Idempotent.
  void close_stdin();
  void close_stdout();
  // Relinquishes ownership of an fd (e.g. to an asio descriptor that closes it); -1 after.
  int release_stdin();
  int release_stdout();

  // A pidfd that becomes readable when the child exits (poll/epoll, or an asio
  // posix::stream_descriptor async_wait); then try_wait() returns the status without
  // blocking. -1 if the kernel lacks pidfd_open (< 5.3). Owned by this object.
  int exit_fd() const { return exit_fd_; }
  // Blocks until the child exits and reaps it. Idempotent (returns the same status).
  Result<ExitStatus> wait();
  // Non-blocking: the status if the child has exited (reaping it), else nullopt.
  std::optional<ExitStatus> try_wait();
  // Sends sig to the child's process group (the child and what it spawned). No-op once reaped.
  void kill(int sig = SIGTERM);
  // What the child wrote to stderr so far, at most stderr_cap bytes.
  std::string stderr_text() const;

 private:
  Subprocess() = default;
  void reset() noexcept;

  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;  // memfd the child's stderr goes to
  int exit_fd_ = -1;    // pidfd
  size_t stderr_cap_ = 0;
  std::optional<ExitStatus> status_;
};

}  // namespace hub::storage::git
