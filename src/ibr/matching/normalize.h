// Name normalisation for duplicate detection: any script in, lower-case ASCII name parts out, so
// that "José  MARÍA", "jose maria" and "Хосе Мария" compare as the same letters.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <unicode/uversion.h>  // U_NAMESPACE_BEGIN: ICU's namespace is versioned (icu_72)

U_NAMESPACE_BEGIN
class Transliterator;
U_NAMESPACE_END

namespace registrar::ibr::matching {

// Pipeline: NFKC and Unicode case folding, then ICU's "Any-Latin; Latin-ASCII" transliteration
// (other scripts to Latin, accents stripped), then apostrophes dropped ("O'Brien" -> "obrien")
// and every other non-alphanumeric character treated as a separator between name parts.
//
// Thread-safety: NOT thread-safe. ICU's Transliterator keeps mutable state while it runs, so each
// thread needs its own NameNormalizer (clone() one; creating "Any-Latin" from scratch loads its
// rules and costs milliseconds, cloning is cheaper). Normalise once at insert and once per query;
// the index and the scorer only ever see the resulting ASCII tokens.
class NameNormalizer {
 public:
  NameNormalizer();  // throws std::runtime_error when ICU lacks the transliterator
  ~NameNormalizer();
  NameNormalizer(NameNormalizer&&) noexcept;
  NameNormalizer& operator=(NameNormalizer&&) noexcept;

  [[nodiscard]] NameNormalizer clone() const;

  // The whole name folded to lower-case ASCII with single spaces between parts.
  [[nodiscard]] std::string normalize(std::string_view utf8_name);
  // The name parts of normalize(), in order.
  [[nodiscard]] std::vector<std::string> tokens(std::string_view utf8_name);

 private:
  explicit NameNormalizer(std::unique_ptr<icu::Transliterator> t);
  std::unique_ptr<icu::Transliterator> to_latin_ascii_;
};

}  // namespace registrar::ibr::matching
