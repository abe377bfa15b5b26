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
      // 2: which LFS objects each repo may serve (the blob store itself is shared by all).
      R"sql(
CREATE TABLE repo_lfs_objects (
  repo_id BIGINT NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
  oid TEXT NOT NULL,
  size BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (repo_id, oid)
);
CREATE INDEX repo_lfs_objects_oid ON repo_lfs_objects(oid);
)sql",
      // 3: listing/search index and counters (issue 5). repo_search is the narrow table the
      // sorted scans walk; repo_index holds what the default branch says; repo_tags is the
      // tag -> repos posting list; two FTS5 tables (card text, trigram over ids) serve `search`.
      // Triggers keep repo_search, the id trigram table and tag_counts in step with repos and
      // repo_tags, so create, rename and delete need no extra call.
      R"sql(
CREATE TABLE repo_search (
  repo_id INTEGER PRIMARY KEY REFERENCES repos(id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  downloads BIGINT NOT NULL DEFAULT 0,
  downloads_all BIGINT NOT NULL DEFAULT 0,
  likes BIGINT NOT NULL DEFAULT 0,
  trending BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX repo_search_downloads ON repo_search(type, downloads, repo_id);
CREATE INDEX repo_search_likes ON repo_search(type, likes, repo_id);
CREATE INDEX repo_search_trending ON repo_search(type, trending, repo_id);
CREATE INDEX repos_type_updated ON repos(type, updated_at, id);
CREATE INDEX repos_type_created ON repos(type, created_at, id);
INSERT INTO repo_search(repo_id, type) SELECT id, type FROM repos;
CREATE TABLE repo_index (
  repo_id INTEGER PRIMARY KEY REFERENCES repos(id) ON DELETE CASCADE,
  commit_oid TEXT NOT NULL DEFAULT '',
  pipeline_tag TEXT,
  library_name TEXT,
  tags TEXT NOT NULL DEFAULT '[]',
  card_data TEXT NOT NULL DEFAULT '{}',
  config TEXT NOT NULL DEFAULT '{}',
  extra TEXT NOT NULL DEFAULT '{}',
  errors TEXT NOT NULL DEFAULT '[]',
  search_text TEXT NOT NULL DEFAULT '',
  indexed_at BIGINT NOT NULL
);
CREATE TABLE repo_tags (
  type TEXT NOT NULL,
  tag TEXT NOT NULL,
  repo_id BIGINT NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
  PRIMARY KEY (type, tag, repo_id)
) WITHOUT ROWID;
CREATE INDEX repo_tags_repo ON repo_tags(repo_id);
CREATE TABLE tag_counts (
  type TEXT NOT NULL,
  tag TEXT NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (type, tag)
) WITHOUT ROWID;
CREATE TABLE download_days (
  repo_id BIGINT NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
  day BIGINT NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (repo_id, day)
);
CREATE TABLE likes (
  account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  repo_id BIGINT NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (account_id, repo_id)
);
CREATE INDEX likes_repo ON likes(repo_id, created_at, account_id);
CREATE INDEX likes_account ON likes(account_id, created_at, repo_id);
CREATE VIRTUAL TABLE repo_fts USING fts5(search_text, content='repo_index', content_rowid='repo_id',
  detail='none', tokenize='unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE repo_id_fts USING fts5(key_lower, content='repos', content_rowid='id', tokenize='trigram');
INSERT INTO repo_id_fts(repo_id_fts) VALUES ('rebuild');
CREATE TRIGGER repos_ai_search AFTER INSERT ON repos BEGIN
  INSERT INTO repo_search(repo_id, type) VALUES (new.id, new.type);
  INSERT INTO repo_id_fts(rowid, key_lower) VALUES (new.id, new.key_lower);
END;
CREATE TRIGGER repos_ad_search AFTER DELETE ON repos BEGIN
  INSERT INTO repo_id_fts(repo_id_fts, rowid, key_lower) VALUES ('delete', old.id, old.key_lower);
END;
CREATE TRIGGER repos_au_search AFTER UPDATE OF key_lower ON repos BEGIN
  INSERT INTO repo_id_fts(repo_id_fts, rowid, key_lower) VALUES ('delete', old.id, old.key_lower);
  INSERT INTO repo_id_fts(rowid, key_lower) VALUES (new.id, new.key_lower);
END;
CREATE TRIGGER repo_index_ai AFTER INSERT ON repo_index BEGIN
  INSERT INTO repo_fts(rowid, search_text) VALUES (new.repo_id, new.search_text);
END;
CREATE TRIGGER repo_index_ad AFTER DELETE ON repo_index BEGIN
  INSERT INTO repo_fts(repo_fts, rowid, search_text) VALUES ('delete', old.repo_id, old.search_text);
END;
CREATE TRIGGER repo_index_au AFTER UPDATE ON repo_index BEGIN
  INSERT INTO repo_fts(repo_fts, rowid, search_text) VALUES ('delete', old.repo_id, old.search_text);
  INSERT INTO repo_fts(rowid, search_text) VALUES (new.repo_id, new.search_text);
END;
CREATE TRIGGER repo_tags_ai AFTER INSERT ON repo_tags BEGIN
  INSERT INTO tag_counts(type, tag, n) VALUES (new.type, new.tag, 1)
    ON CONFLICT(type, tag) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER repo_tags_ad AFTER DELETE ON repo_tags BEGIN
  UPDATE tag_counts SET n = n - 1 WHERE type = old.type AND tag = old.tag;
END;
)sql",
      // 4: objects are now served only through repos they are linked to (issue 14). Before, any
      // pointer in a repo was served, so every existing repo is queued once for a backfill that
      // links the objects its refs point to (services/lfs_access.h, lfs_backfill_links).
      R"sql(
CREATE TABLE lfs_link_backfill (
  repo_id INTEGER PRIMARY KEY REFERENCES repos(id) ON DELETE CASCADE
);
INSERT INTO lfs_link_backfill(repo_id) SELECT id FROM repos;
)sql",
      // 5: discussions and pull requests (issue 17), numbered per repo, and their events.
      R"sql(
CREATE TABLE discussions (
  id INTEGER PRIMARY KEY,
  repo_id BIGINT NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
  num BIGINT NOT NULL,
  author_id BIGINT NOT NULL,
  title TEXT NOT NULL,
  is_pr INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open','closed','merged','draft')),
  target_branch TEXT NOT NULL DEFAULT '',
  merge_commit TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (repo_id, num)
);
CREATE TABLE discussion_events (
  id INTEGER PRIMARY KEY,
  discussion_id BIGINT NOT NULL REFERENCES discussions(id) ON DELETE CASCADE,
  uid TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  author_id BIGINT NOT NULL,
  text TEXT NOT NULL DEFAULT '',
  extra TEXT NOT NULL DEFAULT '',
  hidden INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX discussion_events_discussion ON discussion_events(discussion_id, id);
)sql",
      // 6: indexing rules changed (issue 15: a config.json with architectures/model_type makes a
      // transformers repo whose task comes from the architecture, whatever the repo's age), so
      // every existing repo is queued once for a re-index at start (services/indexer.h,
      // reindex_queued). Repos without an index row are left to index_missing.
      R"sql(
CREATE TABLE reindex_queue (
  repo_id INTEGER PRIMARY KEY REFERENCES repos(id) ON DELETE CASCADE
);
INSERT INTO reindex_queue(repo_id) SELECT repo_id FROM repo_index;
)sql",
      // 7: Xet CAS (issue 16, services/xet.h): xorbs (bodies on the blob store by sha256, with
      // their chunk index), registered files (terms; sha256 for commits by sha256), accepted
      // shards, the repo and uploader of each xorb and file (access), and the global-dedup index
      // of eligible chunks.
      R"sql(
CREATE TABLE xet_xorbs (
  hash TEXT PRIMARY KEY,
  sha256 TEXT NOT NULL,
  size BIGINT NOT NULL,
  unpacked BIGINT NOT NULL,
  num_chunks BIGINT NOT NULL,
  chunks TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE xet_xorb_repos (
  xorb TEXT NOT NULL REFERENCES xet_xorbs(hash),
  repo_id INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
  uploader_id BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (xorb, repo_id)
);
CREATE TABLE xet_files (
  hash TEXT PRIMARY KEY,
  sha256 TEXT NOT NULL,
  size BIGINT NOT NULL,
  terms TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX xet_files_sha256 ON xet_files(sha256);
CREATE TABLE xet_file_repos (
  file TEXT NOT NULL REFERENCES xet_files(hash),
  repo_id INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
  uploader_id BIGINT NOT NULL,
  shard TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (file, repo_id)
);
CREATE INDEX xet_file_repos_repo ON xet_file_repos(repo_id);
CREATE TABLE xet_shards (
  sha256 TEXT PRIMARY KEY,
  size BIGINT NOT NULL,
  repo_id BIGINT NOT NULL,
  uploader_id BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE xet_dedup (
  chunk TEXT NOT NULL,
  xorb TEXT NOT NULL REFERENCES xet_xorbs(hash),
  PRIMARY KEY (chunk, xorb)
);
)sql",
      // 8: several nodes on one database (issue 18): settings shared by every node (the URL
      // signing secret), dataset download dedup windows, and the write order of index rows.
      R"sql(
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE download_windows (
  repo_id INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
  visitor TEXT NOT NULL,
  opened_at BIGINT NOT NULL,
  PRIMARY KEY (repo_id, visitor)
);
CREATE INDEX download_windows_opened ON download_windows(opened_at);
ALTER TABLE repo_index ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
)sql",
      // 9: the durable background-job queue (issue 17/18: post-push work and webhook deliveries
      // survive a crash and are claimed by one node at a time) and webhooks with their delivery
      // log. One pending job per (kind, key): the partial unique index is what coalesces.
      R"sql(
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  key TEXT NOT NULL DEFAULT '',
  payload TEXT NOT NULL DEFAULT '{}',
  run_after BIGINT NOT NULL,
  attempts BIGINT NOT NULL DEFAULT 0,
  lease_owner TEXT NOT NULL DEFAULT '',
  lease_until BIGINT NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX jobs_pending_key ON jobs(kind, key) WHERE lease_owner = '' AND key <> '';
CREATE INDEX jobs_due ON jobs(run_after, id) WHERE lease_owner = '';
CREATE INDEX jobs_leased ON jobs(lease_until) WHERE lease_owner <> '';
CREATE TABLE webhooks (
  id INTEGER PRIMARY KEY,
  uid TEXT NOT NULL UNIQUE,
  owner_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  url TEXT NOT NULL,
  watched TEXT NOT NULL DEFAULT '[]',
  domains TEXT NOT NULL DEFAULT '[]',
  secret TEXT NOT NULL DEFAULT '',
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX webhooks_owner ON webhooks(owner_id, id);
CREATE TABLE webhook_deliveries (
  id INTEGER PRIMARY KEY,
  webhook_id BIGINT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  event TEXT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  status BIGINT NOT NULL DEFAULT 0,
  error TEXT NOT NULL DEFAULT '',
  attempts BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries(webhook_id, id);
)sql",
      // 10: access requests of gated repos (issue 17): one row per (repo, user), its status
      // moved by the user's request and the repo writers' decisions.
      R"sql(
CREATE TABLE access_requests (
  repo_id BIGINT NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
  account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  status TEXT NOT NULL CHECK (status IN ('pending','accepted','rejected')),
  fields TEXT NOT NULL DEFAULT '',
  rejection_reason TEXT NOT NULL DEFAULT '',
  granted INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (repo_id, account_id)
);
CREATE INDEX access_requests_status ON access_requests(repo_id, status, updated_at);
)sql",
  };
  return m;
}

}  // namespace hub::storage::db
