#include "services/preupload.h"

#include <cctype>

#include "storage/git/commit_builder.h"
#include "storage/git/repo.h"

namespace hub::services {

namespace git = storage::git;

namespace {

// [...] at pat[i] (pat[i] == '['); sets `end` past the ']' and returns whether c is in it.
bool class_match(std::string_view pat, size_t i, char c, size_t& end) {
  size_t j = i + 1;
  bool negate = j < pat.size() && (pat[j] == '!' || pat[j] == '^');
  if (negate) ++j;
  bool hit = false, first = true;
  for (; j < pat.size() && (first || pat[j] != ']'); first = false) {
    if (pat.substr(j).starts_with("[:")) {
      size_t close = pat.find(":]", j + 2);
      if (close != std::string_view::npos) {
        std::string_view name = pat.substr(j + 2, close - j - 2);
        unsigned char u = (unsigned char)c;
        if ((name == "space" && std::isspace(u)) || (name == "alpha" && std::isalpha(u)) ||
            (name == "digit" && std::isdigit(u)) || (name == "alnum" && std::isalnum(u)) ||
            (name == "upper" && std::isupper(u)) || (name == "lower" && std::islower(u)))
          hit = true;
        j = close + 2;
        continue;
      }
    }
    char lo = pat[j] == '\\' && j + 1 < pat.size() ? pat[++j] : pat[j];
    ++j;
    char hi = lo;
    if (j + 1 < pat.size() && pat[j] == '-' && pat[j + 1] != ']') {
      hi = pat[j + 1] == '\\' && j + 2 < pat.size() ? pat[j + 2] : pat[j + 1];
      j += pat[j + 1] == '\\' ? 3 : 2;
    }
    if (lo <= c && c <= hi) hit = true;
  }
  if (j >= pat.size()) {  // no closing ']': a literal '['
    end = i + 1;
    return c == '[';
  }
  end = j + 1;
  return hit != negate;
}

// git's wildmatch with WM_PATHNAME: '*' and '?' stop at '/', "**" between slashes crosses them.
bool wildmatch(std::string_view pat, std::string_view s) {
  size_t pi = 0, si = 0;
  while (pi < pat.size()) {
    char p = pat[pi];
    if (p == '*') {
      bool dbl = pi + 1 < pat.size() && pat[pi + 1] == '*';
      bool seg_start = pi == 0 || pat[pi - 1] == '/';
      if (dbl && seg_start && (pi + 2 == pat.size() || pat[pi + 2] == '/')) {
        if (pi + 2 == pat.size()) return true;  // "x/**": everything below
        std::string_view rest = pat.substr(pi + 3);  // after "**/"
        // "**/" matches zero or more leading folders.
        for (size_t k = si;; ++k) {
          if ((k == si || s[k - 1] == '/') && wildmatch(rest, s.substr(k))) return true;
          if (k >= s.size()) return false;
        }
      }
      while (pi < pat.size() && pat[pi] == '*') ++pi;
      for (size_t k = si;; ++k) {
        if (wildmatch(pat.substr(pi), s.substr(k))) return true;
        if (k >= s.size() || s[k] == '/') return false;
      }
    }
    if (si >= s.size()) return false;
    if (p == '?') {
      if (s[si] == '/') return false;
      ++pi, ++si;
    } else if (p == '[') {
      size_t end = 0;
      if (s[si] == '/' || !class_match(pat, pi, s[si], end)) return false;
      pi = end, ++si;
    } else {
      if (p == '\\' && pi + 1 < pat.size()) p = pat[++pi];
      if (p != s[si]) return false;
      ++pi, ++si;
    }
  }
  return si == s.size();
}

struct IgnoreRule {
  std::string pattern;
  bool negate = false, dir_only = false, anchored = false;
};

// A .gitignore larger than this is not read for shouldIgnore (nothing is ignored then).
constexpr size_t kMaxGitignore = size_t(1) << 20;

std::vector<IgnoreRule> parse_gitignore(std::string_view text) {
  std::vector<IgnoreRule> rules;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    while (!line.empty() && line.back() == ' ' && !(line.size() > 1 && line[line.size() - 2] == '\\'))
      line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    IgnoreRule r;
    if (line.front() == '!') r.negate = true, line.remove_prefix(1);
    if (!line.empty() && line.back() == '/') r.dir_only = true, line.remove_suffix(1);
    r.anchored = line.find('/') != std::string_view::npos;
    if (!line.empty() && line.front() == '/') line.remove_prefix(1);
    if (line.empty()) continue;
    r.pattern = std::string(line);
    rules.push_back(std::move(r));
  }
  return rules;
}

}  // namespace

bool gitignore_matches(std::string_view gitignore, std::string_view path) {
  auto rules = parse_gitignore(gitignore);
  if (rules.empty()) return false;
  // Each leading folder first: once a folder is ignored, so is everything in it.
  for (size_t end = path.find('/');; end = path.find('/', end + 1)) {
    bool is_dir = end != std::string_view::npos;
    std::string_view prefix = path.substr(0, is_dir ? end : path.size());
    size_t slash = prefix.rfind('/');
    std::string_view base = slash == std::string_view::npos ? prefix : prefix.substr(slash + 1);
    bool ignored = false;
    for (const auto& r : rules) {
      if (r.dir_only && !is_dir) continue;
      if (wildmatch(r.pattern, r.anchored ? prefix : base)) ignored = !r.negate;
    }
    if (ignored) return true;
    if (!is_dir) return false;
  }
}

Result<std::vector<PreuploadDecision>> decide_upload_modes(Hub& hub, const RepoHandle& repo, std::string_view revision,
                                                           const std::vector<PreuploadFile>& files,
                                                           const std::optional<std::string>& git_attributes,
                                                           const std::optional<std::string>& git_ignore) {
  // A file the hub would refuse at upload is refused now, before the client hashes and sends it.
  for (const auto& f : files)
    if (auto ok = check_lfs_object_size(hub.config().limits, f.size, "'" + f.path.substr(0, 200) + "'"); !ok)
      return std::unexpected(ok.error());
  HUB_TRY(g, git::Repo::open(repo.path));
  std::string head;
  if (auto h = g.resolve_revision(revision.empty() ? "HEAD" : revision)) {
    head = *h;
  } else {
    HUB_TRY(refs, g.list_refs());
    if (!refs.branches.empty()) return fail(Errc::not_found, "Invalid rev id: " + std::string(revision), Detail::RevisionNotFound);
  }
  // The commit whose .gitattributes decide: the head, or an unreferenced probe commit holding
  // the client's proposed .gitattributes on top of it (git's own matching, nested files kept;
  // the probe's objects are garbage for `git gc`).
  std::string attrs_commit = head;
  if (git_attributes) {
    HUB_TRY(b, git::CommitBuilder::start(g, head));
    if (auto r = b.put_file(".gitattributes", *git_attributes); !r) return std::unexpected(r.error());
    git::CommitOptions opts;
    opts.summary = "preupload .gitattributes probe";
    opts.author = {"hubd", "hubd@localhost", 0};
    HUB_TRY(probe, b.write(opts));
    attrs_commit = probe;
  }
  // shouldIgnore: the client's proposed .gitignore (gitIgnore), else the repo's own at the head,
  // as the Hub does (huggingface_hub's upload_folder then skips those files).
  std::optional<std::string> ignore = git_ignore;
  if (!ignore && !head.empty())
    if (auto text = g.read_blob(head, ".gitignore", kMaxGitignore)) ignore = std::move(*text);
  std::vector<PreuploadDecision> out;
  out.reserve(files.size());
  for (const auto& f : files) {
    PreuploadDecision d;
    d.path = f.path;
    d.lfs = f.size >= kLfsSizeThreshold || f.sample.find('\0') != std::string::npos;
    if (!d.lfs && !attrs_commit.empty()) {
      auto tracked = g.is_lfs_tracked(attrs_commit, f.path);
      d.lfs = tracked && *tracked;
    }
    d.should_ignore = ignore && gitignore_matches(*ignore, f.path);
    if (!head.empty()) {
      if (auto e = g.stat_path(head, f.path); e && e->type == git::EntryType::file) {
        if (d.lfs && e->lfs) d.oid = e->lfs->oid;
        else if (!d.lfs && !e->lfs) d.oid = e->oid;
      }
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace hub::services
