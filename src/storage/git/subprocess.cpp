#include "storage/git/subprocess.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace hub::storage::git {
namespace {

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

ExitStatus decode(int status) {
  ExitStatus s;
  if (WIFEXITED(status)) s.code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) s.signal = WTERMSIG(status);
  return s;
}

std::unexpected<Error> sys_fail(const char* what, int err) {
  return fail(Errc::internal, std::string(what) + ": " + std::strerror(err));
}

// posix_spawn attributes and file actions, released on every path.
struct SpawnSetup {
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  SpawnSetup() {
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
  }
};

}  // namespace

Result<Subprocess> Subprocess::spawn(const SpawnOptions& opts) {
  if (opts.argv.empty()) return fail(Errc::invalid_argument, "spawn: empty argv");
  int in[2] = {-1, -1}, out[2] = {-1, -1};
  if (pipe2(in, O_CLOEXEC) != 0) return sys_fail("pipe", errno);
  if (pipe2(out, O_CLOEXEC) != 0) {
    int err = errno;
    close_fd(in[0]);
    close_fd(in[1]);
    return sys_fail("pipe", err);
  }
  int err_fd = memfd_create("hubd-child-stderr", MFD_CLOEXEC);
  auto cleanup = [&] {
    for (int* fd : {&in[0], &in[1], &out[0], &out[1], &err_fd}) close_fd(*fd);
  };
  if (err_fd < 0) {
    int err = errno;
    cleanup();
    return sys_fail("memfd_create", err);
  }

  SpawnSetup s;
  posix_spawn_file_actions_adddup2(&s.fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&s.fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&s.fa, err_fd, 2);
  // Whatever another thread opened without O_CLOEXEC must not leak into git.
  posix_spawn_file_actions_addclosefrom_np(&s.fa, 3);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&s.attr, &none);
  // The server ignores SIGPIPE; ignored dispositions survive exec, so reset them all.
  posix_spawnattr_setsigdefault(&s.attr, &all);
  posix_spawnattr_setpgroup(&s.attr, 0);
  posix_spawnattr_setflags(&s.attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                        POSIX_SPAWN_SETPGROUP);

  std::vector<char*> argv, envp;
  for (const auto& a : opts.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : opts.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  pid_t pid = -1;
  int rc = posix_spawnp(&pid, argv[0], &s.fa, &s.attr, argv.data(), envp.data());
  if (rc != 0) {
    cleanup();
    return fail(Errc::internal, "spawn " + opts.argv[0] + ": " + std::strerror(rc));
  }
  close_fd(in[0]);
  close_fd(out[1]);
  if (opts.nonblocking) {
    for (int fd : {in[1], out[0]}) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  Subprocess p;
  p.pid_ = pid;
  p.stdin_fd_ = std::exchange(in[1], -1);
  p.stdout_fd_ = std::exchange(out[0], -1);
  p.stderr_fd_ = std::exchange(err_fd, -1);
  p.stderr_cap_ = opts.stderr_cap;
  // Via syscall(): glibc 2.36's <sys/pidfd.h> lacks C linkage for C++. The fd is
  // close-on-exec by definition.
  p.exit_fd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  return p;
}

Subprocess::Subprocess(Subprocess&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)),
      stdin_fd_(std::exchange(o.stdin_fd_, -1)),
      stdout_fd_(std::exchange(o.stdout_fd_, -1)),
      stderr_fd_(std::exchange(o.stderr_fd_, -1)),
      exit_fd_(std::exchange(o.exit_fd_, -1)),
      stderr_cap_(o.stderr_cap_),
      status_(std::exchange(o.status_, std::nullopt)) {}

Subprocess& Subprocess::operator=(Subprocess&& o) noexcept {
  if (this != &o) {
    reset();
    pid_ = std::exchange(o.pid_, -1);
    stdin_fd_ = std::exchange(o.stdin_fd_, -1);
    stdout_fd_ = std::exchange(o.stdout_fd_, -1);
    stderr_fd_ = std::exchange(o.stderr_fd_, -1);
    exit_fd_ = std::exchange(o.exit_fd_, -1);
    stderr_cap_ = o.stderr_cap_;
    status_ = std::exchange(o.status_, std::nullopt);
  }
  return *this;
}

Subprocess::~Subprocess() { reset(); }

void Subprocess::reset() noexcept {
  close_fd(stdin_fd_);
  close_fd(stdout_fd_);
  if (pid_ > 0 && !status_) {
    kill(SIGKILL);
    (void)wait();
  }
  close_fd(stderr_fd_);
  close_fd(exit_fd_);
  pid_ = -1;
  status_.reset();
}

void Subprocess::close_stdin() { close_fd(stdin_fd_); }
void Subprocess::close_stdout() { close_fd(stdout_fd_); }
int Subprocess::release_stdin() { return std::exchange(stdin_fd_, -1); }
int Subprocess::release_stdout() { return std::exchange(stdout_fd_, -1); }

Result<ExitStatus> Subprocess::wait() {
  if (status_) return *status_;
  if (pid_ <= 0) return fail(Errc::internal, "wait: no child");
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(pid_, &status, 0);
    if (r == pid_) break;
    if (r < 0 && errno == EINTR) continue;
    return sys_fail("waitpid", errno);
  }
  status_ = decode(status);
  return *status_;
}

std::optional<ExitStatus> Subprocess::try_wait() {
  if (status_ || pid_ <= 0) return status_;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) status_ = decode(status);
  return status_;
}

void Subprocess::kill(int sig) {
  // Once reaped, the pid (and group id) may belong to someone else.
  if (pid_ > 0 && !status_) ::kill(-pid_, sig);
}

std::string Subprocess::stderr_text() const {
  if (stderr_fd_ < 0) return {};
  std::string out(stderr_cap_, '\0');
  size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::pread(stderr_fd_, out.data() + got, out.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  return out;
}

}  // namespace hub::storage::git
