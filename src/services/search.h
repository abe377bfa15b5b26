// Listing and search of repos (GET /api/models|datasets|spaces, HUB_API.md §3): turns the
// request's parameters into a storage::db::RepoQuery (filters, sort, keyset cursor, who may see
// which private repos), runs it, and shapes each hit as the Hub's list item. Also the data of
// GET /api/{models,datasets}-tags-by-type. No HTTP here: the handler parses the query string
// into ListingParams and writes the Link header from next_cursor. Thread-safe.
//
// Pagination is keyset on (sort key, repo id): the cursor names the last row returned, so
// walking every page returns each matching repo exactly once as long as its sort key does not
// change during the walk (inserts, deletes and other repos' counters never shift a page).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/result.h"
#include "services/auth.h"
#include "services/hub.h"

namespace hub::services {

struct ListingParams {
  std::string type = "model";          // model | dataset | space
  std::string search;
  std::string author;
  std::optional<bool> gated;           // gated=true|false (issue 17)
  std::vector<std::string> filters;    // tags; "language:x" and "pipeline_tag:x" understood too
  std::string pipeline_tag, library, language;
  std::string sort;                    // "" = trendingScore
  std::string direction;               // "-1" (default) or "1"
  std::optional<int> limit;
  std::string cursor;
  bool full = false, card_data = false, config = false;
  std::vector<std::string> expand;
};

struct ListingPage {
  json::array items;
  std::optional<std::string> next_cursor;  // opaque; absent on the last page
};

inline constexpr int kListingDefaultLimit = 1000;
inline constexpr int kListingMaxLimit = 1000;
inline constexpr int kListingMaxFullLimit = 100;  // full=true reads each repo's file list

// invalid_argument for an unknown sort/direction, a malformed cursor or limit.
Result<ListingPage> list_repos(Hub& hub, const Principal& p, const ListingParams& params);

// GET /api/models-tags-by-type (type "model") and /api/datasets-tags-by-type ("dataset").
Result<json::object> tags_by_type(Hub& hub, std::string_view type);

}  // namespace hub::services
