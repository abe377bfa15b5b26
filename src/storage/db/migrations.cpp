// The schema, as an append-only list of migrations. Types and constraints are kept to what
// PostgreSQL also has (BIGINT, TEXT, UNIQUE, foreign keys), so the same shape ports over.
#include "storage/db/sqlite_database.h"

namespace hub::storage::db {

const std::vector<const char*>& migrations() {
  static const std::vector<const char*> m = {
      // 1: accounts, memberships, tokens, web sessions, repos, redirects, ref updates.
      R"sql(
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('user','org')),
  name TEXT NOT NULL,
  name_lower TEXT NOT NULL UNIQUE,
  fullname TEXT NOT NULL DEFAULT '',
  email TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL DEFAULT '',
  is_admin INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE TABLE memberships (
  org_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('admin','write','read')),
  PRIMARY KEY (org_id, user_id)
);
CREATE TABLE tokens (
  id INTEGER PRIMARY KEY,
  account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('read','write')),
  hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX tokens_account ON tokens(account_id);
CREATE TABLE web_sessions (
  id_hash TEXT PRIMARY KEY,
  account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  csrf TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE TABLE repos (
  id INTEGER PRIMARY KEY,
  uid TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL CHECK (type IN ('model','dataset','space')),
  ns TEXT NOT NULL,
  name TEXT NOT NULL,
  key_lower TEXT NOT NULL,
  private INTEGER NOT NULL DEFAULT 0,
  gated TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (type, key_lower)
);
CREATE INDEX repos_ns ON repos(ns);
CREATE TABLE repo_redirects (
  type TEXT NOT NULL,
  key_lower TEXT NOT NULL,
  repo_id BIGINT NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
  PRIMARY KEY (type, key_lower)
);
CREATE TABLE ref_updates (
  id INTEGER PRIMARY KEY,
  repo_id BIGINT NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
  ref TEXT NOT NULL,
  old_oid TEXT NOT NULL,
  new_oid TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX ref_updates_repo ON ref_updates(repo_id, id);
)sql",
  };
  return m;
}

}  // namespace hub::storage::db
