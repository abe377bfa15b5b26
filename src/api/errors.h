// Service errors as HTTP responses, through the one mapping of http/hub_error.h (status,
// X-Error-Code, X-Error-Message, JSON {"error"}), which huggingface_hub maps to its
// exception types (HUB_API.md §0). Pure functions.
#pragma once

#include "core/result.h"
#include "http/message.h"
#include "services/auth.h"

namespace hub::api {

http::Response to_response(const Error& e, const services::Principal* p = nullptr);
// 400 with a message: malformed input caught in a handler.
http::Response bad_request(std::string_view message);
// The request body as a JSON object (invalid_argument when malformed or not an object).
Result<json::object> body_object(const http::Request& req);

}  // namespace hub::api
