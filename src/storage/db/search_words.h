// Private to storage/db: cutting text into the words full-text search matches (lower-cased,
// accents of Latin-1 letters dropped, punctuation and symbols between words), the one rule
// both backends apply to a search (search_words.cpp). Pure function, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hub::storage::db {

std::vector<std::string> search_words(std::string_view text);

}  // namespace hub::storage::db
