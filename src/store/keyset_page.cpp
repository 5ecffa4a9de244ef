#include "store/keyset_page.h"

#include <utility>

namespace registrar::store {

KeysetPage KeysetPage::newest_first(std::string time_column, std::string id_column,
                                    std::optional<KeysetCursor> after, int limit) {
  KeysetPage p;
  p.by_time_ = true;
  p.time_column_ = std::move(time_column);
  p.id_column_ = std::move(id_column);
  p.has_after_ = after ? 1 : 0;
  if (after) p.after_ = std::move(*after);
  p.limit_ = limit;
  return p;
}

KeysetPage KeysetPage::by_key(std::string key_column, std::optional<std::string> after, int limit) {
  KeysetPage p;
  p.id_column_ = std::move(key_column);
  p.has_after_ = after ? 1 : 0;
  if (after) p.after_.id = std::move(*after);
  p.limit_ = limit;
  return p;
}

// The first page binds has_after = 0, which lets every row through: one statement text serves
// both, so that it is prepared once.
std::string KeysetPage::condition() const {
  if (!by_time_) return "(:ka1 = 0 OR " + id_column_ + " > :ka2)";
  const std::string& t = time_column_;
  return "(:ka1 = 0 OR " + t + " < :ka2 OR (" + t + " = :ka3 AND " + id_column_ + " < :ka4))";
}

std::string KeysetPage::order_and_limit() const {
  std::string order = by_time_ ? time_column_ + " DESC, " + id_column_ + " DESC" : id_column_;
  return " ORDER BY " + order + " LIMIT " + std::to_string(limit_);
}

soci::details::prepare_temp_type& KeysetPage::bind(soci::details::prepare_temp_type& prep) const {
  if (!by_time_) return prep, soci::use(has_after_), soci::use(after_.id);
  return prep, soci::use(has_after_), soci::use(after_.us), soci::use(after_.us),
         soci::use(after_.id);
}

}  // namespace registrar::store
