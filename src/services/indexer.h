// Indexer: keeps the listing/search index (storage/db RepoIndexRow) in step with each repo's
// default branch. On every ref change (on_refs_updated) and on repo creation it reads the
// branch head through services/repo_view (README front matter, config.json, ... -> pipeline_tag,
// library_name, tags, cardData; the view of every other branch head is computed on demand and
// cached there, for repo info), adds the weight summaries (safetensors / GGUF headers, bounded,
// weights_info.h) and writes one row. Untrusted content never blocks a push: what cannot be read
// becomes an entry of the row's `errors` (shown as `cardErrors` in listings) and indexing keeps
// the rest. Rename, delete and privacy changes need no re-index: the listing reads names and
// visibility from the repos table.
//
// Why synchronous: indexing a head is a few ms (small files, cached views, header-only weight
// reads), so on_refs_updated indexes inline. An API commit therefore answers only after its
// listing row is current (read-your-writes for clients that commit then list); a git push runs
// it on the post-push queue (post_push.h), off the network threads, bounded by the tree limits.
// Per-repo locking plus "always index the current head" make concurrent pushes converge on the
// newest head. Thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/result.h"
#include "services/hub.h"
#include "services/repos.h"
#include "storage/db/database.h"

namespace hub::services {

// The index row of the repo's default branch head as it is now (reads git and the blob store;
// writes nothing). A repo without commits gets an empty row.
Result<storage::db::RepoIndexRow> build_index_row(Hub& hub, const storage::db::RepoRow& row,
                                                  const std::string& repo_path);

// build_index_row + write it. Errors are returned (and only git/db failures are errors: bad
// content is recorded in the row).
Result<void> index_repo(Hub& hub, const storage::db::RepoRow& row);

// The on_refs_updated hook: re-indexes when the default branch moved. Logs failures.
void index_after_refs_update(Hub& hub, const RepoHandle& repo, const std::vector<storage::db::RefUpdate>& updates);

// Indexes up to `max` repos that have no index row yet (created before the index existed, or
// a crash between create and index). Returns how many were indexed.
size_t index_missing(Hub& hub, size_t max);

// Once after an upgrade whose migration queued repos (Database::reindex_queue: the metadata
// rules changed, e.g. issue 15's config.json rule): re-index each queued repo and dequeue it,
// also when it cannot be read (logged; its old row stays until the next push). Called from
// Hub::open before anything serves, so no listing answers by the old rules after start; cheap
// once the queue is empty. Returns how many were dequeued.
Result<size_t> reindex_queued(Hub& hub);

// Process background work of the explore feature: a catch-up pass over unindexed repos and the
// download counter flusher (counters.h). stop_background also finishes the post-push queue
// (post_push.h), then joins and flushes what is pending.
void start_background(Hub& hub);
void stop_background(Hub& hub);

}  // namespace hub::services
