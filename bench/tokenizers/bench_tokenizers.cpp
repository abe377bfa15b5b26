// Tokenizer throughput: encodes every line of a text file with one tokenizer.json and prints
// MB/s, single-threaded (encode per line) and with N threads splitting the lines (what a
// server does). Built and run by run.sh. Usage: bench_tokenizers TOKENIZER_JSON TEXT [THREADS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "inference/tokenizers/tokenizer.h"

namespace tok = hub::inference::tokenizers;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s TOKENIZER_JSON TEXT [THREADS]\n", argv[0]);
    return 2;
  }
  auto t = tok::Tokenizer::from_file(argv[1]);
  if (!t) {
    std::fprintf(stderr, "load: %s\n", t.error().message.c_str());
    return 1;
  }
  std::ifstream in(argv[2], std::ios::binary);
  std::vector<std::string> lines;
  size_t bytes = 0;
  for (std::string line; std::getline(in, line);) {
    bytes += line.size();
    lines.push_back(std::move(line));
  }
  const unsigned threads = argc > 3 ? static_cast<unsigned>(std::stoi(argv[3])) : 2;
  auto run = [&](unsigned n) {
    size_t tokens = 0;
    auto t0 = std::chrono::steady_clock::now();
    std::vector<size_t> counts(n, 0);
    std::vector<std::thread> pool;
    for (unsigned k = 0; k < n; ++k) {
      pool.emplace_back([&, k] {
        for (size_t i = k; i < lines.size(); i += n) {
          auto e = t->encode(lines[i], true);
          if (e) counts[k] += e->ids.size();
        }
      });
    }
    for (auto& th : pool) th.join();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    for (auto c : counts) tokens += c;
    return std::pair<double, size_t>{bytes / 1e6 / s, tokens};
  };
  run(1);  // warm the BPE caches and pages, as the reference's run does too
  auto [mbs1, tokens] = run(1);
  auto [mbsn, tokens_n] = run(threads);
  std::printf("{\"lines\": %zu, \"mb\": %.2f, \"tokens\": %zu, \"mb_per_s_1t\": %.2f, \"mb_per_s_%ut\": %.2f}\n",
              lines.size(), bytes / 1e6, tokens, mbs1, threads, mbsn);
  return tokens == tokens_n ? 0 : 1;
}
