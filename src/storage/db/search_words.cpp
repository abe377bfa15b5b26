// The words of card text and of a search (search_words.h). SQLite's FTS5
// (unicode61, remove_diacritics 2) cuts text at everything that is not a letter or a digit,
// folds case and drops accents; this does the same for ASCII exactly and for the common
// non-ASCII cases (Latin-1 letters fold to their base letter, Greek and Cyrillic capitals to
// small letters, Unicode punctuation, symbols and emoji separate words). Other non-ASCII
// characters are kept as word characters, as unicode61 keeps letters of any script.
// Invalid UTF-8 bytes separate words. PostgreSQL cuts both card text and searches here; SQLite
// cuts searches here (so no quoted word holds a separator FTS5 would turn into a phrase).
#include "storage/db/search_words.h"

#include <algorithm>

#include "core/encode.h"

namespace hub::storage::db {

namespace {

// Decodes one code point at s[i]; returns its length (0: invalid byte).
size_t decode(std::string_view s, size_t i, char32_t& cp) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (n == 0 || c > 0xF4 || i + n > s.size()) return 0;
  cp = c & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

bool separator(char32_t cp) {
  if (cp < 0x80) return !((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'));
  if (cp <= 0xBF) return cp != 0xAA && cp != 0xB5 && cp != 0xBA;  // Latin-1 punctuation, symbols
  if (cp == 0xD7 || cp == 0xF7) return true;                      // multiplication, division signs
  if (cp >= 0x2000 && cp <= 0x2BFF) return true;                  // punctuation, symbols, arrows, shapes
  if (cp >= 0x3000 && cp <= 0x303F) return true;                  // CJK punctuation
  if (cp >= 0xFE10 && cp <= 0xFE6F) return true;                  // vertical and small forms
  if (cp >= 0xFF00 && cp <= 0xFF0F) return true;                  // fullwidth punctuation
  if (cp >= 0x1F000 && cp <= 0x1FAFF) return true;                // emoji, pictographs
  return false;
}

// Lower case without accents, for the letters folded here.
char32_t fold(char32_t cp) {
  if (cp >= 'A' && cp <= 'Z') return cp + 32;
  if (cp >= 0xC0 && cp <= 0xFF) {
    // À..ÿ -> base letter ('\0': keep the letter, lower-cased).
    static constexpr char kBase[] = "aaaaaa\0ceeeeiiii\0nooooo\0ouuuuy\0\0aaaaaa\0ceeeeiiii\0nooooo\0ouuuuy\0y";
    char b = kBase[cp - 0xC0];
    if (b) return char32_t(b);
    if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 32;  // Æ -> æ, Ð -> ð, Þ -> þ
    return cp;
  }
  if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) return cp + 32;  // Greek capitals
  if (cp >= 0x410 && cp <= 0x42F) return cp + 32;                  // Cyrillic capitals
  if (cp >= 0x400 && cp <= 0x40F) return cp + 80;
  return cp;
}

}  // namespace

std::vector<std::string> search_words(std::string_view text) {
  std::vector<std::string> out;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) out.push_back(std::move(word));
    word.clear();
  };
  for (size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    size_t n = decode(text, i, cp);
    if (n == 0) {
      flush();
      ++i;
      continue;
    }
    i += n;
    if (separator(cp)) flush();
    else append_utf8(word, fold(cp));
  }
  flush();
  return out;
}

}  // namespace hub::storage::db
