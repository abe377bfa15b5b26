// Time helpers: timestamps in the Hub's wire format ("2024-05-01T12:34:56.000Z").
#pragma once

#include <cstdint>
#include <string>

namespace hub {

// Milliseconds since the Unix epoch.
int64_t now_ms();
// "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC); the only form Python's parser accepts.
std::string iso8601(int64_t unix_ms);
inline std::string iso8601_now() { return iso8601(now_ms()); }

}  // namespace hub
