// Handler functions, one file per resource. Each validates input, calls services/, and
// serializes the Hub's JSON shapes. No SQL, libgit2 or sockets here.
#pragma once

#include "api/context.h"
#include "http/message.h"

namespace hub::api::handlers {

using http::Request;
using http::Response;

// system.cpp
Response health(Context& ctx, Request& req);
Response repo_without_namespace(Context& ctx, Request& req);  // GET /api/{type}s/{name}[/…]: RepoNotFound

// accounts.cpp
Response whoami(Context& ctx, Request& req);
Response signup(Context& ctx, Request& req);
Response login(Context& ctx, Request& req);
Response logout(Context& ctx, Request& req);
Response list_tokens(Context& ctx, Request& req);
Response create_token(Context& ctx, Request& req);
Response delete_token(Context& ctx, Request& req);

// webhooks.cpp (issue 17)
Response list_webhooks(Context& ctx, Request& req);
Response get_webhook(Context& ctx, Request& req);
Response create_webhook(Context& ctx, Request& req);
Response update_webhook(Context& ctx, Request& req);
Response enable_webhook(Context& ctx, Request& req);
Response disable_webhook(Context& ctx, Request& req);
Response delete_webhook(Context& ctx, Request& req);

// repos.cpp
Response create_repo(Context& ctx, Request& req);
Response delete_repo(Context& ctx, Request& req);
Response move_repo(Context& ctx, Request& req);
Response repo_settings(Context& ctx, Request& req, std::string_view type);
Response repo_info(Context& ctx, Request& req, std::string_view type);
// Paths naming a legacy single-segment repo id ("gpt2"): RepoNotFound as for any missing repo
// (401 for anonymous callers); paths that name no repo endpoint stay a plain 404.
Response legacy_repo_id(Context& ctx, Request& req, std::string_view type);

// files.cpp: GET/HEAD .../resolve/{rev}/{path} and .../raw/{rev}/{path}.
Response resolve_file(Context& ctx, Request& req, std::string_view type);
Response raw_file(Context& ctx, Request& req, std::string_view type);

// tree.cpp: GET .../tree/{rev}[/{path}], POST .../paths-info/{rev}.
Response list_tree(Context& ctx, Request& req, std::string_view type);
Response paths_info(Context& ctx, Request& req, std::string_view type);

// history.cpp: GET .../commits/{rev}, GET .../refs, GET .../auth-check[/write].
Response list_commits(Context& ctx, Request& req, std::string_view type);
Response list_refs(Context& ctx, Request& req, std::string_view type);
Response auth_check(Context& ctx, Request& req, std::string_view type);

// lfs.cpp: Git LFS batch/verify/locks under {repo}.git/info/lfs, and the signed object hrefs.
Response lfs_batch(Context& ctx, Request& req, std::string_view type);
Response lfs_verify(Context& ctx, Request& req, std::string_view type);
Response lfs_locks(Context& ctx, Request& req, std::string_view type);
Response lfs_object_put(Context& ctx, Request& req);
Response lfs_object_get(Context& ctx, Request& req);

// git_http.cpp (smart HTTP); the repo type comes from the route's prefix.
Response git_info_refs(Context& ctx, Request& req, std::string_view type);
Response git_service(Context& ctx, Request& req, std::string_view type, std::string_view service);

// Write side (issue 4). commit.cpp: POST commit/{rev*}, streamed NDJSON.
Response commit(Context& ctx, Request& req, std::string_view type);
// branches.cpp: branch/{branch*}, tag/{rev*} and tag/{tag*}, super-squash/{branch*}.
Response create_branch(Context& ctx, Request& req, std::string_view type);
Response delete_branch(Context& ctx, Request& req, std::string_view type);
Response create_tag(Context& ctx, Request& req, std::string_view type);
Response delete_tag(Context& ctx, Request& req, std::string_view type);
Response super_squash(Context& ctx, Request& req, std::string_view type);
// preupload.cpp: preupload/{rev*}, validate-yaml.
Response preupload(Context& ctx, Request& req, std::string_view type);
// xet.cpp (issue 16): xet-{read,write}-token/{rev*}, and the CAS under services::kXetCasPrefix.
Response xet_token(Context& ctx, Request& req, std::string_view type);
Response xet_put_xorb(Context& ctx, Request& req);        // POST v1/xorbs/default/{hash}
Response xet_put_shard(Context& ctx, Request& req);       // POST v1/shards, v2/shards
Response xet_dedup(Context& ctx, Request& req);           // GET v1/chunks/{default,default-merkledb}/{hash}
Response xet_reconstruction(Context& ctx, Request& req);  // GET v1/reconstructions/{file}, v2/...
Response xet_telemetry(Context& ctx, Request& req);       // POST v1/telemetry (dropped)
// xet_transfer.cpp: GET v1/xorb-data/{xorb}?range&exp&sig (signed transfer URLs).
Response xet_xorb_data(Context& ctx, Request& req);
Response validate_yaml(Context& ctx, Request& req);

// Explore (issue 5). listing.cpp: GET /api/{models,datasets,spaces}, .../{type}s-tags-by-type.
Response list_repos(Context& ctx, Request& req, std::string_view type);
Response tags_by_type(Context& ctx, Request& req, std::string_view type);
Response tasks(Context& ctx, Request& req);  // GET /api/tasks
// likes.cpp: POST/DELETE .../like, GET .../likers, GET /api/users/{user}/likes.
Response like_repo(Context& ctx, Request& req, std::string_view type);
Response repo_likers(Context& ctx, Request& req, std::string_view type);
Response user_likes(Context& ctx, Request& req);

// inference.cpp: POST /models/{id} and the explicit-task forms ("" = the repo's pipeline_tag).
Response run_inference(Context& ctx, Request& req, std::string_view explicit_task);
// OpenAI completions at /models/{id}/v1/completions and /v1/completions (model in the body).
Response run_completions(Context& ctx, Request& req);
// inference_model.cpp: GET /status/{id} (legacy clients): {"loaded","state":"Loaded"|
// "Loadable"|"TooBig","compute_type":"cpu","framework"}; never starts a load.
Response model_status(Context& ctx, Request& req);
// chat.cpp: OpenAI chat completions at /models/{id}/v1/chat/completions and /v1/chat/completions.
Response chat_completions(Context& ctx, Request& req);

// discussions.cpp: discussions and pull requests (issue 17) under /api/{type}s/{id}/discussions.
Response list_discussions(Context& ctx, Request& req, std::string_view type);
Response create_discussion(Context& ctx, Request& req, std::string_view type);
Response discussion_details(Context& ctx, Request& req, std::string_view type);
Response discussion_comment(Context& ctx, Request& req, std::string_view type);
Response discussion_title(Context& ctx, Request& req, std::string_view type);
Response discussion_status(Context& ctx, Request& req, std::string_view type);
Response discussion_merge(Context& ctx, Request& req, std::string_view type);
Response discussion_comment_edit(Context& ctx, Request& req, std::string_view type);
Response discussion_comment_hide(Context& ctx, Request& req, std::string_view type);

// gating.cpp: gated repos' access requests (issue 17) under /api/{type}s/{id}/user-access-request
// and POST /api/{type}s/{id}/ask-access.
Response list_access_requests(Context& ctx, Request& req, std::string_view type);
Response handle_access_request(Context& ctx, Request& req, std::string_view type);
Response grant_access(Context& ctx, Request& req, std::string_view type);
Response ask_access(Context& ctx, Request& req, std::string_view type);

// metrics.cpp: TensorBoard scalars of the repo at a revision (issue 10).
Response repo_metrics(Context& ctx, Request& req, std::string_view type);

}  // namespace hub::api::handlers
