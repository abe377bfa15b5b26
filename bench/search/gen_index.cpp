// Writes N synthetic repos straight into a hubd database (issue 5 benchmark): repos rows (raw
// SQL, one transaction), then the index rows through Database::put_repo_index in batches (the
// indexer's real write path: repo_index, tag postings, FTS5 text), then download counts through
// Database::add_downloads. Tag distributions follow the Hub's rough shape: a few families
// (bert, llama, ...) and tasks dominate, downloads and likes are Pareto-distributed.
// Usage: gen_index DB_PATH N
#include <sqlite3.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "storage/db/database.h"

using namespace hub::storage::db;

int main(int argc, char** argv) {
  if (argc < 3) return std::fprintf(stderr, "usage: gen_index DB N\n"), 2;
  std::string path = argv[1];
  long n = std::atol(argv[2]);
  auto db = Database::open(path);  // migrates
  if (!db) return std::fprintf(stderr, "open: %s\n", db.error().message.c_str()), 1;
  std::mt19937_64 rng(42);
  auto pick = [&](const std::vector<std::pair<const char*, int>>& w) {
    int total = 0;
    for (auto& [_, x] : w) total += x;
    int r = int(rng() % uint64_t(total));
    for (auto& [k, x] : w) {
      if (r < x) return std::string(k);
      r -= x;
    }
    return std::string(w.back().first);
  };
  std::vector<std::pair<const char*, int>> fams = {{"bert", 10}, {"roberta", 6}, {"distilbert", 6}, {"deberta", 4},
      {"gpt2", 8}, {"llama", 12}, {"mistral", 6}, {"t5", 6}, {"bart", 4}, {"vit", 4}, {"whisper", 4}, {"qwen", 6},
      {"phi", 3}, {"gemma", 3}, {"electra", 2}, {"albert", 2}, {"xlm", 3}, {"resnet", 3}, {"clip", 2}, {"wav2vec2", 3}};
  std::vector<std::pair<const char*, int>> tasks = {{"text-classification", 8}, {"token-classification", 3},
      {"text-generation", 25}, {"fill-mask", 4}, {"question-answering", 3}, {"feature-extraction", 6},
      {"image-classification", 5}, {"automatic-speech-recognition", 4}, {"summarization", 2}, {"translation", 2},
      {"sentence-similarity", 4}};
  std::vector<std::pair<const char*, int>> libs = {{"transformers", 70}, {"peft", 10}, {"sentence-transformers", 5},
      {"diffusers", 3}, {"gguf", 6}, {"timm", 3}, {"sklearn", 3}};
  std::vector<std::pair<const char*, int>> langs = {{"en", 50}, {"fr", 8}, {"de", 8}, {"zh", 10}, {"es", 8},
      {"ja", 6}, {"ru", 5}, {"ar", 5}};
  std::vector<std::pair<const char*, int>> licenses = {{"mit", 30}, {"apache-2.0", 50}, {"cc-by-4.0", 10},
      {"llama3", 10}};
  const char* variants[] = {"base", "large", "small", "finetuned", "imdb", "squad", "v2", "sst2", "uncased", "instruct"};
  const char* words[] = {"model", "fine", "tuned", "version", "dataset", "trained", "evaluation", "results",
                         "accuracy", "loss", "this", "is", "a", "of", "on", "for", "with", "the"};
  auto t0 = std::chrono::steady_clock::now();

  sqlite3* raw = nullptr;
  sqlite3_open(path.c_str(), &raw);
  sqlite3_exec(raw, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; BEGIN;", nullptr, nullptr, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(raw,
                     "INSERT INTO repos(uid, type, ns, name, key_lower, private, gated, created_at, updated_at) "
                     "VALUES (?,?,?,?,?,?,'',?,?)", -1, &st, nullptr);
  std::vector<std::string> fam_of(size_t(n) + 1), task_of(size_t(n) + 1);
  int64_t base_ms = 1'600'000'000'000;
  for (long i = 1; i <= n; ++i) {
    fam_of[size_t(i)] = pick(fams);
    task_of[size_t(i)] = pick(tasks);
    std::string ns = "user" + std::to_string(rng() % uint64_t(n / 8 + 1));
    std::string name = fam_of[size_t(i)] + "-" + variants[rng() % 10] + "-" + std::to_string(i);
    std::string key = ns + "/" + name;
    std::string uid = "bench" + std::to_string(i);
    sqlite3_bind_text(st, 1, uid.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, "model", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, ns.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, name.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, key.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 6, rng() % 50 == 0);  // 2% private
    sqlite3_bind_int64(st, 7, base_ms + i * 1000);
    sqlite3_bind_int64(st, 8, base_ms + i * 1000 + int64_t(rng() % 1'000'000'000));
    if (sqlite3_step(st) != SQLITE_DONE) return std::fprintf(stderr, "insert: %s\n", sqlite3_errmsg(raw)), 1;
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  sqlite3_exec(raw, "COMMIT;", nullptr, nullptr, nullptr);
  sqlite3_close(raw);
  auto t1 = std::chrono::steady_clock::now();

  std::vector<RepoIndexRow> batch;
  std::vector<DownloadCount> downloads;
  std::uniform_real_distribution<> u(0.0001, 1.0);
  int64_t today = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count() / 86'400'000;
  for (long i = 1; i <= n; ++i) {
    RepoIndexRow r;
    r.repo_id = i;
    r.commit = std::string(40, 'a');
    std::string task = task_of[size_t(i)], lib = pick(libs), lang = pick(langs);
    r.pipeline_tag = task;
    r.library_name = lib;
    r.tags = {lib, task, "pytorch", "safetensors", lang, "license:" + pick(licenses), "region:us"};
    if (rng() % 10 == 0) r.tags.push_back(std::string("dataset:") + (rng() % 2 ? "imdb" : "squad"));
    r.facets = {facet("pipeline_tag", task), facet("language", lang)};
    r.card_data = "{\"license\":\"mit\",\"language\":\"" + lang + "\"}";
    std::string text;
    for (auto& t : r.tags) text += t + " ";
    text += "This " + fam_of[size_t(i)] + " model";
    for (int k = 0; k < 20; ++k) text += std::string(" ") + words[rng() % 18];
    r.search_text = text;
    r.indexed_at = base_ms;
    batch.push_back(std::move(r));
    int64_t d = int64_t(1.0 / std::pow(u(rng), 1 / 1.2)) - 1;  // Pareto(1.2)
    if (d > 0) downloads.push_back({i, today - int64_t(rng() % 20), d});
    if (batch.size() == 10000 || i == n) {
      if (auto e = (*db)->put_repo_index(batch); !e) return std::fprintf(stderr, "index: %s\n", e.error().message.c_str()), 1;
      batch.clear();
    }
  }
  auto t2 = std::chrono::steady_clock::now();
  for (size_t k = 0; k < downloads.size(); k += 20000) {
    std::vector<DownloadCount> part(downloads.begin() + long(k), downloads.begin() + long(std::min(k + 20000, downloads.size())));
    if (auto e = (*db)->add_downloads(part, today); !e) return std::fprintf(stderr, "downloads: %s\n", e.error().message.c_str()), 1;
  }
  auto t3 = std::chrono::steady_clock::now();
  auto s = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
  std::printf("repos rows: %.1f s, index rows (put_repo_index): %.1f s, download counts: %.1f s, total %.1f s\n",
              s(t0, t1), s(t1, t2), s(t2, t3), s(t0, t3));
  return 0;
}
