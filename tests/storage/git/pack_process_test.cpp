#include "storage/git/pack_process.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include "git_test_util.h"
#include "smart_http_server.h"
#include "storage/git/repo.h"

namespace hub::storage::git {
namespace {
using namespace testing;

std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

class PackTest : public GitTest {
 protected:
  void SetUp() override {
    GitTest::SetUp();
    ::signal(SIGPIPE, SIG_IGN);  // as the server does
    auto r = Repo::init_bare(path("srv/acme/model.git"));
    ASSERT_TRUE(r) << r.error().message;
    bare_ = path("srv/acme/model.git");
  }
  std::string git(const std::string& dir, const std::string& args) {
    auto r = sh(git_cmd(path(dir)) + args);
    EXPECT_EQ(r.rc, 0) << args << "\n" << r.out;
    return trim(r.out);
  }
  std::string bare_;
};

TEST(PktLine, FramesAndPreamble) {
  EXPECT_EQ(pkt_line("a\n"), "0006a\n");
  EXPECT_EQ(pkt_line(""), "0004");
  EXPECT_EQ(pkt_line(std::string(65516, 'x')).substr(0, 4), "fff0");
  EXPECT_EQ(info_refs_preamble(PackService::upload_pack), "001e# service=git-upload-pack\n0000");
  EXPECT_EQ(info_refs_preamble(PackService::receive_pack), "001f# service=git-receive-pack\n0000");
  EXPECT_EQ(info_refs_preamble(PackService::upload_pack, "version=2"), "");
  EXPECT_EQ(info_refs_preamble(PackService::receive_pack, "version=2"),
            info_refs_preamble(PackService::receive_pack));
  EXPECT_TRUE(is_protocol_v2("version=2"));
  EXPECT_TRUE(is_protocol_v2("object-format=sha1:version=2"));
  EXPECT_FALSE(is_protocol_v2("version=1"));
  EXPECT_FALSE(is_protocol_v2("version=20"));
  EXPECT_EQ(parse_service("git-receive-pack"), PackService::receive_pack);
  EXPECT_FALSE(parse_service("git-upload-archive"));
  EXPECT_EQ(advertisement_content_type(PackService::upload_pack),
            "application/x-git-upload-pack-advertisement");
  EXPECT_EQ(result_content_type(PackService::receive_pack), "application/x-git-receive-pack-result");
}

TEST_F(PackTest, AdvertiseRefsV0ListsHeadAndMain) {
  auto repo = Repo::open(bare_);
  std::string head = *repo->resolve_revision("main");
  PackOptions opts;
  opts.advertise_refs = true;
  auto p = PackProcess::start(PackService::upload_pack, bare_, opts);
  ASSERT_TRUE(p) << p.error().message;
  p->close_stdin();
  std::string out = read_all(p->stdout_fd());
  auto st = p->wait();
  ASSERT_TRUE(st);
  EXPECT_TRUE(st->ok()) << p->stderr_text();
  // First pkt-line: "<len><sha> HEAD\0<capabilities>\n"; the list ends with a flush.
  ASSERT_GT(out.size(), 49u);
  EXPECT_EQ(out.substr(4, 45), head + " HEAD");
  EXPECT_EQ(out[49], '\0');
  EXPECT_NE(out.find("symref=HEAD:refs/heads/main"), std::string::npos);
  EXPECT_NE(out.find(head + " refs/heads/main\n"), std::string::npos);
  EXPECT_TRUE(out.ends_with("0000"));
  EXPECT_EQ(p->stderr_text(), "");
}

TEST_F(PackTest, AdvertiseRefsV2AndReceivePack) {
  PackOptions opts;
  opts.advertise_refs = true;
  opts.git_protocol = "version=2";
  auto up = PackProcess::start(PackService::upload_pack, bare_, opts);
  ASSERT_TRUE(up);
  up->close_stdin();
  std::string out = read_all(up->stdout_fd());
  EXPECT_TRUE(up->wait()->ok());
  EXPECT_TRUE(out.starts_with("000eversion 2\n")) << out;
  EXPECT_NE(out.find("fetch"), std::string::npos);

  auto rp = PackProcess::start(PackService::receive_pack, bare_, opts);
  ASSERT_TRUE(rp);
  rp->close_stdin();
  out = read_all(rp->stdout_fd());
  EXPECT_TRUE(rp->wait()->ok()) << rp->stderr_text();
  EXPECT_NE(out.find("refs/heads/main"), std::string::npos);
  EXPECT_NE(out.find("report-status"), std::string::npos);
}

TEST_F(PackTest, MissingRepoFailsWithStderr) {
  PackOptions opts;
  opts.advertise_refs = true;
  auto p = PackProcess::start(PackService::upload_pack, path("nope.git"), opts);
  ASSERT_TRUE(p);
  p->close_stdin();
  read_all(p->stdout_fd());
  auto st = p->wait();
  ASSERT_TRUE(st);
  EXPECT_FALSE(st->ok());
  EXPECT_NE(p->stderr_text(), "");
}

TEST_F(PackTest, KillAndDestructorReapTheChild) {
  // Without --advertise-refs and with stdin open, upload-pack waits for the request.
  auto p = PackProcess::start(PackService::upload_pack, bare_);
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->try_wait());
  ASSERT_GE(p->exit_fd(), 0);
  pollfd pfd{p->exit_fd(), POLLIN, 0};
  EXPECT_EQ(::poll(&pfd, 1, 0), 0);  // still running
  p->kill(SIGTERM);
  EXPECT_EQ(::poll(&pfd, 1, -1), 1);  // readable once it exited
  auto st = p->try_wait();
  ASSERT_TRUE(st);
  EXPECT_EQ(st->signal, SIGTERM);
  EXPECT_EQ(p->wait()->signal, SIGTERM);  // idempotent

  pid_t pid;
  {
    auto q = PackProcess::start(PackService::receive_pack, bare_);
    ASSERT_TRUE(q);
    pid = q->pid();
    EXPECT_EQ(::kill(pid, 0), 0);
  }
  EXPECT_EQ(::kill(pid, 0), -1);  // killed and reaped: no zombie left behind
  EXPECT_EQ(errno, ESRCH);
}

TEST_F(PackTest, CloneFetchAndPushOverSmartHttp) {
  SmartHttpServer server(path("srv"));
  std::string url = server.url("acme/model.git");
  for (const char* version : {"2", "0"}) {
    std::string dir = std::string("clone-v") + version;
    auto c = sh("git -c protocol.version=" + std::string(version) + " clone -q " + quote(url) +
                " " + quote(path(dir)));
    ASSERT_EQ(c.rc, 0) << c.out;
    EXPECT_EQ(read_text(path(dir + "/.gitattributes")), default_gitattributes());
  }
  // Push a commit with a few files and a new branch through receive-pack.
  write_text(path("clone-v2/config.json"), "{\"a\": 1}\n");
  write_text(path("clone-v2/sub/dir/file.txt"), std::string(200000, 'z'));
  git("clone-v2", "add -A");
  git("clone-v2", "commit -q -m " + quote("add config\n\nbody line"));
  std::string pushed = git("clone-v2", "rev-parse HEAD");
  git("clone-v2", "push -q origin main main:refs/heads/dev");
  for (int code : server.exit_codes()) EXPECT_EQ(code, 0);

  auto repo = Repo::open(bare_);
  ASSERT_TRUE(repo);
  EXPECT_EQ(repo->resolve_revision("main").value_or(""), pushed);
  EXPECT_EQ(repo->resolve_revision("dev").value_or(""), pushed);
  EXPECT_EQ(repo->read_blob(pushed, "config.json", 1 << 20).value_or(""), "{\"a\": 1}\n");
  auto log = repo->log(pushed, 0, 10);
  ASSERT_TRUE(log);
  ASSERT_EQ(log->total, 2u);
  EXPECT_EQ(log->commits[0].title, "add config");
  EXPECT_EQ(log->commits[0].message, "add config\n\nbody line\n");

  // The v0 clone fetches the new commit (upload-pack with a "have" negotiation).
  git("clone-v0", "-c protocol.version=0 pull -q --ff-only");
  EXPECT_EQ(git("clone-v0", "rev-parse HEAD"), pushed);
  EXPECT_EQ(read_text(path("clone-v0/sub/dir/file.txt")).size(), 200000u);

  // Force-push and branch deletion are allowed (the Hub's behaviour).
  git("clone-v2", "reset -q --hard HEAD~1");
  git("clone-v2", "push -q -f origin main");
  git("clone-v2", "push -q origin :dev");
  EXPECT_EQ(repo->resolve_revision("main").value_or(""), git("clone-v2", "rev-parse HEAD"));
  EXPECT_FALSE(repo->resolve_revision("dev"));
}

TEST_F(PackTest, PushOfDotGitPathIsRejectedByFsck) {
  SmartHttpServer server(path("srv"));
  auto c = sh("git clone -q " + quote(server.url("acme/model.git")) + " " + quote(path("w")));
  ASSERT_EQ(c.rc, 0) << c.out;
  // Hand-made tree holding ".GIT", which git would check out as the repository's own dir on
  // case-insensitive filesystems.
  std::string blob = trim(sh("echo evil | " + git_cmd(path("w")) + "hash-object -w --stdin").out);
  std::string tree = trim(sh("printf '100644 blob " + blob + "\\t.GIT\\n' | " + git_cmd(path("w")) +
                             "mktree").out);
  std::string commit = git("w", "commit-tree -p HEAD -m evil " + tree);
  auto push = sh(git_cmd(path("w")) + "push origin " + commit + ":refs/heads/main");
  EXPECT_NE(push.rc, 0) << push.out;
  EXPECT_NE(push.out.find("hasDotgit"), std::string::npos) << push.out;
  auto repo = Repo::open(bare_);
  EXPECT_NE(repo->resolve_revision("main").value_or(""), commit);
}

TEST_F(PackTest, BlobStreamReadsRawBytes) {
  auto repo = Repo::open(bare_);
  auto attrs = repo->stat_path(*repo->resolve_revision("main"), ".gitattributes");
  ASSERT_TRUE(attrs);
  auto s = open_blob_stream(bare_, attrs->oid);
  ASSERT_TRUE(s) << s.error().message;
  s->close_stdin();
  EXPECT_EQ(read_all(s->stdout_fd()), default_gitattributes());
  EXPECT_TRUE(s->wait()->ok());
  auto bad = open_blob_stream(bare_, std::string(40, '3'));
  ASSERT_TRUE(bad);
  read_all(bad->stdout_fd());
  EXPECT_FALSE(bad->wait()->ok());
}

}  // namespace
}  // namespace hub::storage::git
