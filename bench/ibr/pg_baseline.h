// The PostgreSQL baseline of the ibr benchmark: the same synthetic population in tables a
// competent DBA would build for duplicate search with the stock contrib extensions (pg_trgm,
// fuzzystrmatch, btree_gin), and the best equivalent of the registrar index's two queries:
// exact identifier lookup (btree) and fuzzy candidate search (trigram similarity `%` on the
// normalised name near the birth year, or a shared double-metaphone code with the same birth year
// or (month, day)) scored in SQL with the field rules and weights of ibr/matching/score.h.
//
// Fair play: names are stored normalised by the same ICU NameNormalizer the registrar uses
// (unaccent alone cannot transliterate other scripts, which would make the baseline a straw man);
// the date, sex and location rules are the registrar's, written in SQL. What differs is the name
// similarity (pg_trgm / levenshtein / dmetaphone instead of the registrar's token matching) and
// the candidate retrieval (GIN indexes instead of the registrar's blocking).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ibr/matching/population.h"

struct pg_conn;

namespace registrar::bench::ibr {

namespace matching = registrar::ibr::matching;

struct PgHit {
  uint32_t id = 0;
  double score = 0;
};

struct PgSizes {
  double table_bytes = 0;  // heap + TOAST of both tables
  double index_bytes = 0;  // every index of both tables
};

class PgBaseline {
 public:
  // `url`: a libpq connection string. Throws std::runtime_error on any database error.
  // `blocked`: trigram candidates only within a year either side of the birth year (GIN on
  // birth year + trigrams), as the registrar blocks; false: trigram candidates from every record
  // (plain GIN trigram index; more recall on year errors, far slower).
  PgBaseline(const std::string& url, bool blocked);
  ~PgBaseline();
  PgBaseline(const PgBaseline&) = delete;
  PgBaseline& operator=(const PgBaseline&) = delete;

  // Drops and recreates the tables, COPYs the records (names normalised by `normalizer`), builds
  // the indexes and ANALYZEs. Returns the seconds taken by the COPY and by the index builds.
  struct LoadTimes {
    double copy_s = 0, index_s = 0;
  };
  LoadTimes load(const std::vector<matching::SyntheticRecord>& records,
                 matching::NameNormalizer& normalizer);

  // pg_trgm.similarity_threshold, the `%` cut-off of the candidate query (default 0.3).
  void set_trigram_threshold(double threshold);

  // Ids of the records holding this identifier.
  std::vector<uint32_t> find_by_identifier(const std::string& type, const std::string& value);

  // At most `limit` records scoring >= min_score against `query`, best first; `exclude` (or -1)
  // leaves the query's own record out.
  std::vector<PgHit> search(const matching::Person& query, int64_t exclude, double min_score,
                            int limit = 50);

  PgSizes sizes();
  std::string server_version();

 private:
  void exec(const std::string& sql);
  void copy_in(const std::string& table_and_columns, const std::string& data);
  pg_conn* conn_ = nullptr;
  bool blocked_ = true;
};

}  // namespace registrar::bench::ibr
