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

// accounts.cpp
Response whoami(Context& ctx, Request& req);
Response signup(Context& ctx, Request& req);
Response login(Context& ctx, Request& req);
Response logout(Context& ctx, Request& req);
Response list_tokens(Context& ctx, Request& req);
Response create_token(Context& ctx, Request& req);
Response delete_token(Context& ctx, Request& req);

// repos.cpp
Response create_repo(Context& ctx, Request& req);
Response delete_repo(Context& ctx, Request& req);
Response move_repo(Context& ctx, Request& req);
Response repo_settings(Context& ctx, Request& req, std::string_view type);
Response repo_info(Context& ctx, Request& req, std::string_view type);

// git_http.cpp (smart HTTP); the repo type comes from the route's prefix.
Response git_info_refs(Context& ctx, Request& req, std::string_view type);
Response git_service(Context& ctx, Request& req, std::string_view type, std::string_view service);

}  // namespace hub::api::handlers
