#include "storage/db/pg_conn.h"

#include <poll.h>

#include <charconv>
#include <cstdlib>

namespace hub::storage::db::pg {

namespace {
// Length of the valid UTF-8 sequence at s[i] (1-4), or 0 if it is not one.
size_t utf8_len(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return c ? 1 : 0;
  size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (n == 0 || c > 0xF4 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((b(i + k) & 0xC0) != 0x80) return 0;
  if (n == 3 && c == 0xE0 && b(i + 1) < 0xA0) return 0;  // overlong
  if (n == 3 && c == 0xED && b(i + 1) >= 0xA0) return 0;  // surrogates
  if (n == 4 && c == 0xF0 && b(i + 1) < 0x90) return 0;  // overlong
  if (n == 4 && c == 0xF4 && b(i + 1) >= 0x90) return 0;  // > U+10FFFF
  return n;
}
}  // namespace

std::string text_safe(std::string_view v) {
  size_t i = 0;
  while (i < v.size()) {
    size_t n = utf8_len(v, i);
    if (!n) break;
    i += n;
  }
  if (i == v.size()) return std::string(v);
  std::string out(v.substr(0, i));
  while (i < v.size()) {
    size_t n = utf8_len(v, i);
    if (n) {
      out.append(v.substr(i, n));
      i += n;
    } else {
      if (v[i] != '\0') out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

std::string array_literal(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

int64_t Rows::i64(int row, int col) const {
  const char* p = PQgetvalue(r_.get(), row, col);
  int64_t v = 0;
  std::from_chars(p, p + PQgetlength(r_.get(), row, col), v);
  return v;
}

int64_t Rows::affected() const {
  const char* p = r_ ? PQcmdTuples(r_.get()) : "";
  int64_t v = 0;
  std::from_chars(p, p + std::char_traits<char>::length(p), v);
  return v;
}

Error to_error(PGconn* c, const PGresult* r, std::string_view what) {
  std::string msg = "postgres " + std::string(what) + ": ";
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  if (primary) msg += primary;
  else msg += c ? PQerrorMessage(c) : "no connection";
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  std::string_view s = state ? state : "";
  if (s.starts_with("23")) return Error{Errc::already_exists, msg};
  if (s.starts_with("40") || s == "55P03") return Error{Errc::conflict, msg};
  if (s == "XX001" || s == "XX002") return Error{Errc::corrupt, msg};
  return Error{Errc::io, msg};
}

Result<Rows> exec(PGconn* c, std::string_view sql, const Params& p) {
  std::vector<const char*> vals;
  vals.reserve(p.size());
  for (const auto& v : p.values()) vals.push_back(v ? v->c_str() : nullptr);
  std::string text(sql);
  // A plain read outside a transaction may be sent again on a fresh connection when the server
  // dropped this one (restart, terminated backend): it changed nothing, so repeating it is safe.
  // Writes are not repeated (the server may have applied one before the connection died).
  bool retry = PQtransactionStatus(c) == PQTRANS_IDLE && text.starts_with("SELECT ") &&
               text.find(" FOR ") == std::string::npos;
  for (;;) {
    Rows rows(PQexecParams(c, text.c_str(), int(vals.size()), nullptr, vals.data(), nullptr, nullptr, 0));
    auto st = rows.get() ? PQresultStatus(rows.get()) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return rows;
    if (retry && PQstatus(c) == CONNECTION_BAD) {
      retry = false;
      PQreset(c);
      if (PQstatus(c) == CONNECTION_OK) continue;
    }
    return std::unexpected(to_error(c, rows.get(), "query"));
  }
}

Result<void> run(PGconn* c, std::string_view sql, const Params& p) {
  auto r = exec(c, sql, p);
  if (!r) return std::unexpected(r.error());
  return {};
}

Result<void> exec_script(PGconn* c, const char* sql) {
  Rows rows(PQexec(c, sql));
  auto st = rows.get() ? PQresultStatus(rows.get()) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return std::unexpected(to_error(c, rows.get(), "script"));
  return {};
}

Result<void> in_transaction(PGconn* c, const std::function<Result<void>()>& body) {
  if (auto b = exec(c, "BEGIN"); !b) return std::unexpected(b.error());
  auto r = body();
  if (r) {
    if (auto e = exec(c, "COMMIT"); !e) r = std::unexpected(e.error());
    else return r;
  }
  exec(c, "ROLLBACK");  // also ends a transaction COMMIT refused; harmless when none is open
  return r;
}

Result<ConnPtr> Pool::open_one() {
  ConnPtr c(PQconnectdb(conninfo_.c_str()));
  if (!c) return fail(Errc::io, "postgres: out of memory");
  if (PQstatus(c.get()) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(c.get());
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    return fail(Errc::io, "postgres: cannot connect: " + msg);
  }
  // Quiet notices ("relation already exists, skipping") instead of libpq printing to stderr.
  PQsetNoticeProcessor(c.get(), [](void*, const char*) {}, nullptr);
  return c;
}

Result<void> Pool::init() {
  auto c = open_one();
  if (!c) return std::unexpected(c.error());
  std::lock_guard lk(mu_);
  ++open_;
  free_.push_back(std::move(*c));
  return {};
}

namespace {
// A pooled connection is usable if libpq still thinks so after reading whatever the server
// sent while it sat idle: a terminated backend leaves a FATAL message and EOF on the socket,
// which PQconsumeInput turns into CONNECTION_BAD. An open transaction (a body that failed
// without rolling back) is not usable either.
bool healthy(PGconn* c) {
  if (PQstatus(c) != CONNECTION_OK) return false;
  // Read whatever is waiting (a FATAL message, then end of file) without blocking.
  for (int i = 0; i < 4; ++i) {
    pollfd p{PQsocket(c), POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) break;
    if (PQconsumeInput(c) == 0 || PQstatus(c) != CONNECTION_OK) return false;
  }
  return PQtransactionStatus(c) == PQTRANS_IDLE;
}
}  // namespace

Result<Pool::Lease> Pool::take() {
  std::unique_lock lk(mu_);
  for (;;) {
    if (!free_.empty()) {
      ConnPtr c = std::move(free_.back());
      free_.pop_back();
      if (healthy(c.get())) return Lease(this, std::move(c));
      // Replace it: close the dead one and open a fresh one in its slot.
      c.reset();
      lk.unlock();
      auto fresh = open_one();
      if (!fresh) {
        std::lock_guard lk2(mu_);
        --open_;
        cv_.notify_one();
        return std::unexpected(fresh.error());
      }
      return Lease(this, std::move(*fresh));
    }
    if (open_ < max_) {
      ++open_;
      lk.unlock();
      auto c = open_one();
      if (!c) {
        std::lock_guard lk2(mu_);
        --open_;
        cv_.notify_one();
        return std::unexpected(c.error());
      }
      return Lease(this, std::move(*c));
    }
    cv_.wait(lk);
  }
}

size_t Pool::open_count() {
  std::lock_guard lk(mu_);
  return open_;
}

void Pool::give_back(ConnPtr c) {
  {
    std::lock_guard lk(mu_);
    free_.push_back(std::move(c));
  }
  cv_.notify_one();
}

Result<Url> parse_url(std::string_view url) {
  if (!url.starts_with("postgres://") && !url.starts_with("postgresql://"))
    return fail(Errc::invalid_argument, "not a postgres:// URL");
  Url out;
  size_t q = url.find('?');
  std::string base(url.substr(0, q));
  std::string kept;
  if (q != std::string_view::npos) {
    std::string_view rest = url.substr(q + 1);
    while (!rest.empty()) {
      size_t amp = rest.find('&');
      std::string_view kv = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
      if (kv.starts_with("pool=")) {
        std::string_view n = kv.substr(5);
        size_t v = 0;
        auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), v);
        if (ec != std::errc() || p != n.data() + n.size() || v < 1 || v > 1000)
          return fail(Errc::invalid_argument, "postgres URL: pool must be a number from 1 to 1000");
        out.pool = v;
        continue;
      }
      if (kv.empty()) continue;
      kept += kept.empty() ? "?" : "&";
      kept += kv;
    }
  }
  out.conninfo = base + kept;
  return out;
}

}  // namespace hub::storage::db::pg
