// hubd: the one binary. Subcommands: serve, user add, org add, token create. Wires the
// layers together (the only place that sees all of them).
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <iterator>

#include "api/context.h"
#include "api/routes.h"
#include "core/hash.h"
#include "core/log.h"
#include "http/server.h"
#include "services/accounts.h"
#include "services/hub.h"
#include "services/indexer.h"
#include "services/webhooks.h"
#include "services/receive_checks.h"
#include "storage/git/tree_limits.h"
#ifdef HUBD_HAVE_INFERENCE
#include "inference/models/model.h"
#include "inference/models/tasks.h"
#include "inference/ops/cpu.h"
#include "inference/ops/gemm.h"
#include "inference/pipelines/pipeline.h"
#include "inference/runtime/generation_engine.h"
#include "inference/runtime/model_cache.h"
#include "inference/runtime/response_cache.h"
#include "inference/runtime/scheduler.h"
#endif
#include "web/routes.h"

namespace {

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

std::string g_blobs = env_or("HUBD_BLOBS", "");
std::string g_db = env_or("HUBD_DB", "");
std::string g_scratch = env_or("HUBD_SCRATCH", "");

// Quotas (services/limits.h): flags, else the environment, else the defaults.
hub::services::Limits g_limits;
uint64_t g_max_push_mb = std::stoull(env_or("HUBD_MAX_PUSH_MB", std::to_string(g_limits.max_push_bytes >> 20)));
uint64_t g_max_lfs_mb = std::stoull(env_or("HUBD_MAX_LFS_OBJECT_MB", std::to_string(g_limits.max_lfs_object_bytes >> 20)));
size_t g_max_tree_entries = std::stoull(env_or("HUBD_MAX_TREE_ENTRIES", std::to_string(g_limits.tree.max_entries)));
size_t g_max_tree_depth = std::stoull(env_or("HUBD_MAX_TREE_DEPTH", std::to_string(g_limits.tree.max_depth)));

hub::services::Limits limits_from_flags() {
  hub::services::Limits l;
  l.max_push_bytes = std::max<uint64_t>(1, g_max_push_mb) << 20;
  l.max_lfs_object_bytes = std::max<uint64_t>(1, g_max_lfs_mb) << 20;
  l.tree.max_entries = std::max<size_t>(1, g_max_tree_entries);
  l.tree.max_depth = std::max<size_t>(1, g_max_tree_depth);
  // git receive-pack runs this binary as its pre-receive hook (services/receive_checks.h).
  char self[4096];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) l.hook_binary.assign(self, size_t(n));
  return l;
}

std::unique_ptr<hub::services::Hub> open_hub(const std::string& data, bool allow_signup = true) {
  hub::services::HubConfig cfg;
  cfg.data_dir = data;
  cfg.blobs_url = g_blobs;
  cfg.db_url = g_db;
  cfg.scratch_dir = g_scratch;
  cfg.allow_signup = allow_signup;
  cfg.limits = limits_from_flags();
  hub::storage::git::set_tree_limits(cfg.limits.tree);  // every tree walk of this process
  cfg.model_snapshot_bytes = uint64_t(std::stoull(env_or("HUBD_MODEL_SNAPSHOT_MB", "10240"))) << 20;
  // Password log-ins (services/login_throttle.h): attempts per minute, and at once, per account
  // name and per client address.
  double per_account = std::stod(env_or("HUBD_LOGIN_PER_ACCOUNT", "10"));
  double per_address = std::stod(env_or("HUBD_LOGIN_PER_ADDRESS", "30"));
  cfg.login_limits.account = {std::max(1.0, per_account), std::max(1.0, per_account)};
  cfg.login_limits.address = {std::max(1.0, per_address), std::max(1.0, per_address)};
  auto h = hub::services::Hub::open(cfg);
  if (!h) {
    std::fprintf(stderr, "hubd: cannot open data directory %s: %s\n", data.c_str(), h.error().message.c_str());
    std::exit(1);
  }
  return std::move(*h);
}

int die(const hub::Error& e) {
  std::fprintf(stderr, "hubd: %s\n", e.message.c_str());
  return 1;
}

// First start on an empty data directory: an admin account and a write token, printed once.
void bootstrap_admin(hub::services::Hub& h, const std::string& url) {
  auto n = h.db().count_accounts(hub::storage::db::AccountKind::user);
  if (!n || *n > 0) return;
  hub::services::NewUser u;
  u.name = "admin";
  u.password = hub::base64url_encode(hub::random_bytes(12));
  u.fullname = "Administrator";
  u.is_admin = true;
  auto a = hub::services::create_user(h, u);
  if (!a) return;
  auto t = hub::services::create_token(h, a->id, "admin", "write");
  if (!t) return;
  std::printf("created admin user 'admin' (password %s)\nadmin token: %s\n", u.password.c_str(), t->secret.c_str());
  std::fflush(stdout);
}

int serve(const std::string& host, int port, const std::string& data, const std::string& public_url, bool no_signup) {
  std::signal(SIGPIPE, SIG_IGN);  // a client or child that hangs up is an error value, not a death
#ifdef HUBD_HAVE_INFERENCE
  // A HUBD_CPU level this CPU lacks is refused here, before anything else starts.
  auto cpu = hub::inference::ops::check_cpu_level();
  if (!cpu) return die(cpu.error());
  if (auto p = hub::inference::ops::check_encoder_precision(); !p) return die(p.error());
#endif
  auto hubp = open_hub(data, !no_signup);
  hub::http::Router router;
  hub::api::Context ctx{*hubp};
#ifdef HUBD_HAVE_INFERENCE
  // Model memory: what loaded models may take together before the least recently used go.
  hub::inference::runtime::ModelCache models(size_t(std::stoull(env_or("HUBD_MODEL_MEMORY_MB", "4096"))) << 20);
  hub::inference::runtime::SchedulerOptions sched_opts;
  sched_opts.max_queue = size_t(std::stoull(env_or("HUBD_INFERENCE_QUEUE", "64")));
  sched_opts.max_batch = std::max<size_t>(1, std::stoull(env_or("HUBD_INFERENCE_MAX_BATCH", "32")));
  hub::inference::runtime::Scheduler scheduler(sched_opts);
  ctx.models = &models;
  ctx.scheduler = &scheduler;
  // Text generation: per loaded decoder model, this many sequences decoded together.
  hub::inference::runtime::GenerationEngineOptions gen_opts;
  gen_opts.slots = std::max<size_t>(1, std::stoull(env_or("HUBD_GENERATION_SLOTS", "8")));
  gen_opts.max_queue = size_t(std::stoull(env_or("HUBD_GENERATION_QUEUE", "64")));
  hub::inference::runtime::GenerationEngines generation(gen_opts);
  ctx.generation = &generation;
  hub::inference::runtime::ResponseCache responses(size_t(std::stoull(env_or("HUBD_RESPONSE_CACHE_MB", "64"))) << 20);
  ctx.responses = &responses;
#endif
  // The pre-receive hook is in place before the first push can arrive.
  if (auto hooks = hub::services::receive_pack_setup(*hubp); !hooks) return die(hooks.error());
  hub::api::add_routes(router, ctx);
  if (auto web = hub::web::add_routes(router, *hubp); !web) return die(web.error());
  hub::api::add_legacy_routes(router, ctx);
  hub::http::ServerConfig sc;
  sc.host = host;
  sc.port = uint16_t(port);
  sc.public_url = public_url;
  // Slow-client limits (http/server.h): connections and streamed uploads (git packs, LFS) per
  // client address (0: none), and the minimum body transfer rate in bytes/s after a grace
  // period in seconds (rate 0: off).
  sc.max_connections_per_address = size_t(std::stoull(env_or("HUBD_MAX_CONNS_PER_ADDR", "128")));
  sc.max_streams_per_address = size_t(std::stoull(env_or("HUBD_MAX_UPLOADS_PER_ADDR", "32")));
  sc.min_body_rate = std::stoull(env_or("HUBD_MIN_BODY_RATE", "1024"));
  sc.rate_grace = std::chrono::seconds(std::stoll(env_or("HUBD_RATE_GRACE_S", "30")));
  // Reverse proxies whose X-Forwarded-For is believed for the per-address limits.
  sc.trusted_proxies = env_or("HUBD_TRUSTED_PROXIES", "");
  hub::http::Server server(sc, router);
  auto bound = server.listen();
  if (!bound) return die(bound.error());
  std::string url = "http://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                    std::to_string(*bound);
  bootstrap_admin(*hubp, url);
  hub::log::info("hubd listening on " + url);
#ifdef HUBD_HAVE_INFERENCE
  hub::log::info("inference kernels: " + hub::inference::ops::cpu_description() + ", encoder precision " +
                 std::string(hub::inference::ops::weight_format_name(hub::inference::ops::encoder_precision())));
#endif
  std::printf("hubd listening on %s\n", url.c_str());
  std::fflush(stdout);
  hub::services::set_webhook_base_url(public_url.empty() ? url : public_url);  // links in webhook payloads
  hub::services::start_background(*hubp);  // search index catch-up, download counter flusher, jobs
  server.run();
  hub::services::stop_background(*hubp);   // writes the pending download counts
  return 0;
}

#ifdef HUBD_HAVE_INFERENCE
// `hubd run DIR [--task T] INPUT`: one task on a model directory, JSON on stdout. INPUT that
// parses as JSON is the request's "inputs" (a list, or {"question","context"}); otherwise it
// is the text itself. Without --task, the model's head decides.
int run_model(const std::string& dir, std::string task, const std::string& input, const std::string& params) {
  namespace inf = hub::inference;
  if (auto cpu = inf::ops::check_cpu_level(); !cpu) return die(cpu.error());
  if (auto p = inf::ops::check_encoder_precision(); !p) return die(p.error());
  auto model = inf::load_model(dir);
  if (!model) return die(model.error());
  if (task.empty()) task = inf::default_task(**model);  // the model's head, or its kind's first task
  hub::json::value inputs(input);
  if (auto parsed = hub::json::parse(input); parsed && !parsed->is_number()) inputs = std::move(*parsed);
  hub::json::value parameters;
  if (!params.empty()) {
    auto p = hub::json::parse(params);
    if (!p) return die(hub::Error{hub::Errc::invalid_argument, "--parameters: " + p.error().message, {}});
    parameters = std::move(*p);
  }
  auto out = inf::pipelines::run_task(**model, task, inputs, parameters);
  if (!out) return die(out.error());
  std::printf("%s\n", hub::json::serialize(*out).c_str());
  return 0;
}
#endif

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"hubd: a self-hosted model hub"};
  app.require_subcommand(1);
  std::string data = env_or("HUBD_DATA", "hubd-data");

  auto* serve_cmd = app.add_subcommand("serve", "Run the hub server");
  std::string host = env_or("HUBD_HOST", "127.0.0.1");
  int port = std::atoi(env_or("HUBD_PORT", "8080").c_str());
  std::string public_url = env_or("HUBD_PUBLIC_URL", "");
  bool no_signup = false;
  serve_cmd->add_option("--host", host, "Address to listen on");
  serve_cmd->add_option("--port", port, "Port to listen on (0: any free port)");
  serve_cmd->add_option("--data", data, "Data directory");
  serve_cmd->add_option("--public-url", public_url, "Base URL clients use, when behind a proxy");
  serve_cmd->add_flag("--no-signup", no_signup, "Disable POST /api/users sign-up");
  serve_cmd->add_option("--blobs", g_blobs, "Large-file store: s3://bucket?endpoint=...&region=... (default: local disk)");
  serve_cmd->add_option("--db", g_db, "Metadata database (default: <data>/hubd.db)");
  serve_cmd->add_option("--scratch", g_scratch,
                        "This node's own folder (model snapshots, hooks) when --data is shared by several nodes "
                        "(HUBD_SCRATCH; default: --data)");
  serve_cmd->add_option("--max-push-mb", g_max_push_mb, "Largest git push accepted, MiB (HUBD_MAX_PUSH_MB)");
  serve_cmd->add_option("--max-lfs-object-mb", g_max_lfs_mb, "Largest LFS object accepted, MiB (HUBD_MAX_LFS_OBJECT_MB)");
  serve_cmd->add_option("--max-tree-entries", g_max_tree_entries,
                        "Most files and folders one commit may hold (HUBD_MAX_TREE_ENTRIES)");
  serve_cmd->add_option("--max-tree-depth", g_max_tree_depth, "Deepest folder nesting accepted (HUBD_MAX_TREE_DEPTH)");

  // Run by git receive-pack (core.hooksPath), not by people: checks a push before refs move.
  auto* hook_cmd = app.add_subcommand("git-hook", "Internal: git hooks the server installs");
  hook_cmd->group("");  // hidden from --help
  std::string hook_name;
  hook_cmd->add_option("name", hook_name, "Hook name")->required()->check(CLI::IsMember({"pre-receive"}));

  auto* user_cmd = app.add_subcommand("user", "Manage users");
  user_cmd->require_subcommand(1);
  auto* user_add = user_cmd->add_subcommand("add", "Create a user");
  hub::services::NewUser nu;
  user_add->add_option("name", nu.name, "User name")->required();
  user_add->add_option("--password", nu.password, "Password (at least 8 characters)")->required();
  user_add->add_option("--fullname", nu.fullname, "Full name");
  user_add->add_option("--email", nu.email, "Email");
  user_add->add_flag("--admin", nu.is_admin, "Make the user an administrator");
  user_add->add_option("--data", data, "Data directory");
  user_add->add_option("--db", g_db, "Metadata database, as serve takes it (HUBD_DB)");

  auto* org_cmd = app.add_subcommand("org", "Manage organisations");
  org_cmd->require_subcommand(1);
  auto* org_add = org_cmd->add_subcommand("add", "Create an organisation");
  std::string org_name, org_fullname;
  std::vector<std::string> members;
  org_add->add_option("name", org_name, "Organisation name")->required();
  org_add->add_option("--fullname", org_fullname, "Full name");
  org_add->add_option("--member", members, "A member (repeatable); members are admins of the org");
  org_add->add_option("--data", data, "Data directory");
  org_add->add_option("--db", g_db, "Metadata database, as serve takes it (HUBD_DB)");

  auto* token_cmd = app.add_subcommand("token", "Manage access tokens");
  token_cmd->require_subcommand(1);
  auto* token_create = token_cmd->add_subcommand("create", "Create a token; prints only the token");
  std::string token_user, token_role = "read", token_name = "cli";
  token_create->add_option("name", token_user, "User the token belongs to")->required();
  token_create->add_option("--role", token_role, "read or write")->check(CLI::IsMember({"read", "write"}));
  token_create->add_option("--name", token_name, "Display name of the token");
  token_create->add_option("--data", data, "Data directory");
  token_create->add_option("--db", g_db, "Metadata database, as serve takes it (HUBD_DB)");

#ifdef HUBD_HAVE_INFERENCE
  auto* run_cmd = app.add_subcommand("run", "Run a task on a model directory (config.json, *.safetensors, tokenizer.json)");
  std::string run_dir, run_task_name, run_input, run_params;
  run_cmd->add_option("dir", run_dir, "Model directory")->required();
  run_cmd->add_option("input", run_input, "Text, or JSON inputs")->required();
  run_cmd->add_option("--task", run_task_name, "fill-mask, text-classification, translation, summarization, ... (default: from the model's head or kind)");
  run_cmd->add_option("--parameters", run_params, "JSON object of task parameters");
#endif

  CLI11_PARSE(app, argc, argv);
#ifdef HUBD_HAVE_INFERENCE
  if (*run_cmd) return run_model(run_dir, run_task_name, run_input, run_params);
#endif

  if (*serve_cmd) return serve(host, port, data, public_url, no_signup);
  if (*hook_cmd) {
    std::string updates((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    std::string message;
    int rc = hub::services::run_pre_receive_hook(".", updates, [](const char* k) { return std::getenv(k); }, message);
    if (!message.empty()) std::fprintf(stderr, "%s\n", message.c_str());
    return rc;
  }
  if (*user_add) {
    auto h = open_hub(data);
    auto a = hub::services::create_user(*h, nu);
    if (!a) return die(a.error());
    std::printf("created user %s\n", a->name.c_str());
    return 0;
  }
  if (*org_add) {
    auto h = open_hub(data);
    auto o = hub::services::create_org(*h, org_name, org_fullname, members);
    if (!o) return die(o.error());
    std::printf("created organisation %s\n", o->name.c_str());
    return 0;
  }
  if (*token_create) {
    auto h = open_hub(data);
    auto a = h->db().account_by_name(token_user);
    if (!a || a->kind != hub::storage::db::AccountKind::user) {
      std::fprintf(stderr, "hubd: no user named '%s'\n", token_user.c_str());
      return 1;
    }
    auto t = hub::services::create_token(*h, a->id, token_name, token_role);
    if (!t) return die(t.error());
    std::printf("%s\n", t->secret.c_str());
    return 0;
  }
  return 0;
}
