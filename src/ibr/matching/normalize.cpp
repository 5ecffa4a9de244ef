#include "ibr/matching/normalize.h"

#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/unistr.h>

#include <stdexcept>

namespace registrar::ibr::matching {
namespace {

// NFKC with case folding first, so that compatibility forms (full-width letters, ligatures) and
// case variants reach the transliterator already unified; the trailing mark removal catches any
// combining accent that Latin-ASCII has no mapping for.
constexpr const char* kToLatinAscii =
    "NFKC; Any-Latin; Latin-ASCII; NFD; [:Nonspacing Mark:] Remove; NFC";

bool is_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

// Lower-case ASCII letters and digits kept; apostrophe-like characters dropped inside a part
// (O'Brien, Ge'ez and Arabic transliterations use them for glottal stops), as are bytes of
// letters outside ASCII; anything else separates parts. Runs of separators collapse to one space.
std::string fold_ascii(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending_space = false;
  for (unsigned char c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      if (pending_space && !out.empty()) out.push_back(' ');
      pending_space = false;
      out.push_back(static_cast<char>(c));
    } else if (c == '\'' || c == '`' || c >= 0x80) {
      // Apostrophes, and letters the transliterator left outside ASCII (Ge'ez's schwa "ə"),
      // belong inside the part: dropping them keeps "bərhanu" one part, close to "birhanu".
      continue;
    } else {
      pending_space = true;
    }
  }
  return out;
}

}  // namespace

NameNormalizer::NameNormalizer(std::unique_ptr<icu::Transliterator> t)
    : to_latin_ascii_(std::move(t)) {}

NameNormalizer::NameNormalizer() {
  UErrorCode status = U_ZERO_ERROR;
  to_latin_ascii_.reset(icu::Transliterator::createInstance(
      icu::UnicodeString::fromUTF8(kToLatinAscii), UTRANS_FORWARD, status));
  if (U_FAILURE(status) || !to_latin_ascii_)
    throw std::runtime_error(std::string("ICU transliterator unavailable: ") + u_errorName(status));
}

NameNormalizer::~NameNormalizer() = default;
NameNormalizer::NameNormalizer(NameNormalizer&&) noexcept = default;
NameNormalizer& NameNormalizer::operator=(NameNormalizer&&) noexcept = default;

NameNormalizer NameNormalizer::clone() const {
  return NameNormalizer(std::unique_ptr<icu::Transliterator>(to_latin_ascii_->clone()));
}

std::string NameNormalizer::normalize(std::string_view utf8_name) {
  // Most names in a Latin-script registry are plain ASCII: they need no ICU at all.
  if (is_ascii(utf8_name)) return fold_ascii(utf8_name);
  icu::UnicodeString text = icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8_name.data(), static_cast<int32_t>(utf8_name.size())));
  text.foldCase();
  to_latin_ascii_->transliterate(text);
  std::string latin;
  text.toUTF8String(latin);
  return fold_ascii(latin);
}

std::vector<std::string> NameNormalizer::tokens(std::string_view utf8_name) {
  const std::string folded = normalize(utf8_name);
  std::vector<std::string> parts;
  size_t start = 0;
  while (start < folded.size()) {
    size_t end = folded.find(' ', start);
    if (end == std::string::npos) end = folded.size();
    parts.emplace_back(folded, start, end - start);
    start = end + 1;
  }
  return parts;
}

}  // namespace registrar::ibr::matching
