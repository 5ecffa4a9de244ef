#include "pg_baseline.h"

#include <libpq-fe.h>

#include <chrono>
#include <stdexcept>

namespace registrar::bench::ibr {
namespace {

// The schema. Field rules as in ibr/matching/similarity.cpp (birth_date_similarity,
// location_similarity), as immutable SQL functions the planner inlines; NULL = unknown, so the
// field is left out of the weighted mean as the registrar leaves it out.
constexpr const char* kSchema = R"sql(
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;
CREATE EXTENSION IF NOT EXISTS btree_gin;
DROP TABLE IF EXISTS ibr_person, ibr_person_stage, ibr_identifier;
CREATE TABLE ibr_person_stage (id int, full_name text, name_norm text, birth_year smallint,
  birth_month smallint, birth_day smallint, sex smallint, location text);
CREATE TABLE ibr_identifier (record_id int NOT NULL, id_type text NOT NULL, id_value text NOT NULL);
CREATE OR REPLACE FUNCTION bench_date_sim(y1 int, m1 int, d1 int, y2 int, m2 int, d2 int)
RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN y1 = 0 OR y2 = 0 THEN NULL ELSE
    (CASE WHEN y1 = y2 THEN 1.0
          WHEN abs(y1 - y2) = 1 THEN 0.8
          WHEN y1 / 100 = y2 / 100 AND y1 % 10 = (y2 / 10) % 10 AND (y1 / 10) % 10 = y2 % 10 THEN 0.8
          ELSE 0.0 END) *
    (CASE WHEN m1 = m2 AND d1 = d2 THEN 1.0
          WHEN d1 <> 0 AND d2 <> 0 THEN CASE WHEN m1 = d2 AND d1 = m2 THEN 0.85 ELSE 0.0 END
          WHEN m1 = m2 THEN 0.85
          WHEN m1 = 0 OR m2 = 0 THEN 0.7
          ELSE 0.0 END) END $$;
CREATE OR REPLACE FUNCTION bench_loc_sim(a text, b text)
RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN a = '' OR b = '' THEN NULL WHEN a = b THEN 1.0
    WHEN strpos(a, '-') > 1 AND strpos(b, '-') > 1
         AND regexp_replace(a, '-[^-]*$', '') = regexp_replace(b, '-[^-]*$', '') THEN 0.5
    ELSE 0.0 END $$;
CREATE OR REPLACE FUNCTION bench_md(m int, d int) RETURNS smallint LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN m = 0 OR d = 0 THEN 0 ELSE least(m, d) * 100 + greatest(m, d) END::smallint $$;
CREATE OR REPLACE FUNCTION bench_dm(name text) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY(SELECT DISTINCT dmetaphone(t) FROM unnest(string_to_array(name, ' ')) t
               WHERE t <> '' AND dmetaphone(t) <> '') $$;
)sql";

// dmetaphone codes and the unordered (month, day) pair computed once at load; then the indexes a
// DBA builds for these queries: btree on identifiers, GIN trigram on the normalised name (with the
// birth year in front, through btree_gin, when candidates are blocked by year), GIN on the
// metaphone codes behind the birth year and behind the (month, day) pair.
constexpr const char* kBuild = R"sql(
CREATE TABLE ibr_person AS
  SELECT id, full_name, name_norm, birth_year, birth_month, birth_day, sex, location,
         bench_dm(name_norm) AS name_dm,
         bench_md(birth_month, birth_day) AS birth_md
  FROM ibr_person_stage;
DROP TABLE ibr_person_stage;
ALTER TABLE ibr_person ADD PRIMARY KEY (id);
CREATE INDEX ibr_identifier_lookup ON ibr_identifier (id_type, id_value);
CREATE INDEX ibr_person_year_dm ON ibr_person USING gin (birth_year, name_dm);
CREATE INDEX ibr_person_md_dm ON ibr_person USING gin (birth_md, name_dm);
)sql";
constexpr const char* kTrigramIndex[] = {
    "CREATE INDEX ibr_person_name_trgm ON ibr_person USING gin (name_norm gin_trgm_ops)",
    "CREATE INDEX ibr_person_year_trgm ON ibr_person USING gin (birth_year, name_norm "
    "gin_trgm_ops)"};

constexpr const char* kExact =
    "SELECT record_id FROM ibr_identifier WHERE id_type = $1 AND id_value = $2";

// Candidates (whole rows: UNION removes the repeats, and no join back to the table is needed),
// by the same idea as the registrar's blocking (ibr/matching/blocking.h): the name's
// trigrams (`%`, pg_trgm.similarity_threshold) within a year either side of the birth year (or
// anywhere, in the unblocked mode), and for transliterations trigrams miss ("muhammad" / "mhmd")
// a shared double-metaphone code in the same birth year or with the same (month, day) pair (a
// year typo). The smallint casts matter: the btree_gin operator classes have no int2 = int4
// operator, and without them the year is a filter after the scan, not an index condition.
// $1 name, $2 year, $3 month, $4 day, $5 sex, $6 location, $7 excluded id,
// $8 minimum score, $9 limit.
constexpr const char* kTrigramCandidates[] = {
    R"sql(
WITH cand AS (
  SELECT * FROM ibr_person WHERE name_norm % $1::text)sql",
    R"sql(
WITH cand AS (
  SELECT * FROM ibr_person
  WHERE birth_year = ANY (ARRAY[$2::int - 1, $2::int, $2::int + 1]::smallint[])
    AND name_norm % $1::text
  UNION
  SELECT * FROM ibr_person WHERE $2::int = 0 AND name_norm % $1::text)sql"};
constexpr const char* kPhoneticCandidates = R"sql(
  UNION
  SELECT * FROM ibr_person
  WHERE $2::int > 0 AND birth_year = ($2::int)::smallint AND name_dm && bench_dm($1::text)
  UNION
  SELECT * FROM ibr_person
  WHERE bench_md($3::int, $4::int) > 0 AND birth_md = bench_md($3::int, $4::int)
    AND name_dm && bench_dm($1::text)),)sql";

// Scoring: the date, sex and location similarities first (once per candidate: MATERIALIZED),
// then the name only for candidates that a perfect name could lift to the minimum score (most
// candidates share a name code and a year but not the date; the registrar skips them the same
// way). Name similarity is the best of trigram similarity, normalised levenshtein and the share
// of metaphone codes in common (discounted, as the registrar discounts its skeletons); the other
// fields and the weights are the registrar's.
constexpr const char* kScore = R"sql(
fields AS MATERIALIZED (
  SELECT p.id, p.name_norm, p.name_dm,
    bench_date_sim(p.birth_year, p.birth_month, p.birth_day, $2::int, $3::int, $4::int) AS ds,
    CASE WHEN p.sex = 0 OR $5::int = 0 THEN NULL ELSE (p.sex = $5::int)::int::float8 END AS ss,
    bench_loc_sim(p.location, $6::text) AS ls
  FROM cand p
  WHERE p.id <> $7::int),
weighted AS (
  SELECT id, name_norm, name_dm,
    coalesce(0.30 * ds, 0) + coalesce(0.05 * ss, 0) + coalesce(0.15 * ls, 0) AS others,
    0.50 + CASE WHEN ds IS NULL THEN 0 ELSE 0.30 END + CASE WHEN ss IS NULL THEN 0 ELSE 0.05 END
         + CASE WHEN ls IS NULL THEN 0 ELSE 0.15 END AS weights
  FROM fields),
q AS (SELECT $1::text AS n, bench_dm($1::text) AS dm),
total AS (
  SELECT w.id,
    (0.50 * greatest(similarity(w.name_norm, q.n),
                     1.0 - levenshtein(w.name_norm, q.n)::float8
                           / greatest(length(w.name_norm), length(q.n), 1),
                     0.9 * (SELECT count(*) FROM unnest(q.dm) c WHERE c = ANY (w.name_dm))::float8
                         / greatest(cardinality(q.dm), cardinality(w.name_dm), 1))
     + w.others) / w.weights AS score
  FROM weighted w, q
  WHERE (0.50 + w.others) / w.weights >= $8::float8)
SELECT id, score FROM total WHERE score >= $8::float8 ORDER BY score DESC LIMIT $9::int
)sql";

std::string join_tokens(const std::vector<std::string>& tokens) {
  std::string out;
  for (const std::string& t : tokens) {
    if (!out.empty()) out += ' ';
    out += t;
  }
  return out;
}

// COPY text format: backslash, tab and newlines escaped.
void append_field(std::string& out, std::string_view v) {
  for (const char c : v) {
    const char* escaped = c == '\\'   ? "\\\\"
                          : c == '\t' ? "\\t"
                          : c == '\n' ? "\\n"
                          : c == '\r' ? "\\r"
                                      : nullptr;
    if (escaped)
      out += escaped;
    else
      out += c;
  }
}

struct Result {
  PGresult* r;
  explicit Result(PGresult* p) : r(p) {}
  ~Result() { PQclear(r); }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

PgBaseline::PgBaseline(const std::string& url, bool blocked)
    : conn_(PQconnectdb(url.c_str())), blocked_(blocked) {
  if (PQstatus(conn_) != CONNECTION_OK) {
    const std::string error = PQerrorMessage(conn_);
    PQfinish(conn_);
    throw std::runtime_error("PostgreSQL: " + error);
  }
  exec("SET client_min_messages = warning");
  // Planning the fuzzy statement (its inlined scoring functions) costs more than running it: a
  // DBA keeps the one generic plan, whose index conditions take the parameters as they come.
  exec("SET plan_cache_mode = force_generic_plan");
}

PgBaseline::~PgBaseline() {
  PQfinish(conn_);
}

void PgBaseline::exec(const std::string& sql) {
  Result res(PQexec(conn_, sql.c_str()));
  const auto status = PQresultStatus(res.r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    throw std::runtime_error("PostgreSQL: " + std::string(PQerrorMessage(conn_)));
}

void PgBaseline::copy_in(const std::string& table_and_columns, const std::string& data) {
  {
    Result res(PQexec(conn_, ("COPY " + table_and_columns + " FROM STDIN").c_str()));
    if (PQresultStatus(res.r) != PGRES_COPY_IN)
      throw std::runtime_error("COPY: " + std::string(PQerrorMessage(conn_)));
  }
  constexpr size_t kChunk = 1 << 20;
  for (size_t at = 0; at < data.size(); at += kChunk) {
    const size_t n = std::min(kChunk, data.size() - at);
    if (PQputCopyData(conn_, data.data() + at, static_cast<int>(n)) != 1)
      throw std::runtime_error("COPY: " + std::string(PQerrorMessage(conn_)));
  }
  if (PQputCopyEnd(conn_, nullptr) != 1)
    throw std::runtime_error("COPY: " + std::string(PQerrorMessage(conn_)));
  Result res(PQgetResult(conn_));
  if (PQresultStatus(res.r) != PGRES_COMMAND_OK)
    throw std::runtime_error("COPY: " + std::string(PQerrorMessage(conn_)));
  while (PGresult* rest = PQgetResult(conn_)) PQclear(rest);
}

PgBaseline::LoadTimes PgBaseline::load(const std::vector<matching::SyntheticRecord>& records,
                                       matching::NameNormalizer& normalizer) {
  exec(kSchema);
  LoadTimes times;
  // The rows are built before the clock starts: the load timed is PostgreSQL's, not ICU's.
  std::string people, identifiers;
  for (uint32_t i = 0; i < records.size(); ++i) {
    const matching::SyntheticRecord& r = records[i];
    const std::string id = std::to_string(i);
    people += id + '\t';
    append_field(people, r.full_name);
    people += '\t';
    append_field(people, join_tokens(normalizer.tokens(r.full_name)));
    people += '\t' + std::to_string(r.birth.year) + '\t' + std::to_string(r.birth.month) + '\t' +
              std::to_string(r.birth.day) + '\t' + std::to_string(static_cast<int>(r.sex)) + '\t';
    append_field(people, r.location);
    people += '\n';
    for (const matching::Identifier& ident : r.identifiers) {
      identifiers += id + '\t';
      append_field(identifiers, ident.type);
      identifiers += '\t';
      append_field(identifiers, ident.value);
      identifiers += '\n';
    }
  }
  auto start = std::chrono::steady_clock::now();
  copy_in("ibr_person_stage", people);
  copy_in("ibr_identifier", identifiers);
  times.copy_s = seconds_since(start);
  start = std::chrono::steady_clock::now();
  exec(kBuild);
  exec(kTrigramIndex[blocked_ ? 1 : 0]);
  exec("VACUUM ANALYZE ibr_person");  // VACUUM refuses a multi-statement string
  exec("VACUUM ANALYZE ibr_identifier");
  times.index_s = seconds_since(start);
  Result exact(PQprepare(conn_, "exact", kExact, 2, nullptr));
  if (PQresultStatus(exact.r) != PGRES_COMMAND_OK)
    throw std::runtime_error("prepare: " + std::string(PQerrorMessage(conn_)));
  const std::string fuzzy_sql =
      std::string(kTrigramCandidates[blocked_ ? 1 : 0]) + kPhoneticCandidates + kScore;
  Result fuzzy(PQprepare(conn_, "fuzzy", fuzzy_sql.c_str(), 9, nullptr));
  if (PQresultStatus(fuzzy.r) != PGRES_COMMAND_OK)
    throw std::runtime_error("prepare: " + std::string(PQerrorMessage(conn_)));
  return times;
}

void PgBaseline::set_trigram_threshold(double threshold) {
  exec("SET pg_trgm.similarity_threshold = " + std::to_string(threshold));
}

std::vector<uint32_t> PgBaseline::find_by_identifier(const std::string& type,
                                                     const std::string& value) {
  const char* params[] = {type.c_str(), value.c_str()};
  Result res(PQexecPrepared(conn_, "exact", 2, params, nullptr, nullptr, 0));
  if (PQresultStatus(res.r) != PGRES_TUPLES_OK)
    throw std::runtime_error("exact: " + std::string(PQerrorMessage(conn_)));
  std::vector<uint32_t> ids;
  for (int row = 0; row < PQntuples(res.r); ++row)
    ids.push_back(static_cast<uint32_t>(std::stoul(PQgetvalue(res.r, row, 0))));
  return ids;
}

std::vector<PgHit> PgBaseline::search(const matching::Person& query, int64_t exclude,
                                      double min_score, int limit) {
  const std::string values[] = {join_tokens(query.name_tokens),
                                std::to_string(query.birth.year),
                                std::to_string(query.birth.month),
                                std::to_string(query.birth.day),
                                std::to_string(static_cast<int>(query.sex)),
                                query.location,
                                std::to_string(exclude),
                                std::to_string(min_score),
                                std::to_string(limit)};
  const char* params[9];
  for (int i = 0; i < 9; ++i) params[i] = values[i].c_str();
  Result res(PQexecPrepared(conn_, "fuzzy", 9, params, nullptr, nullptr, 0));
  if (PQresultStatus(res.r) != PGRES_TUPLES_OK)
    throw std::runtime_error("fuzzy: " + std::string(PQerrorMessage(conn_)));
  std::vector<PgHit> hits;
  for (int row = 0; row < PQntuples(res.r); ++row)
    hits.push_back({static_cast<uint32_t>(std::stoul(PQgetvalue(res.r, row, 0))),
                    std::stod(PQgetvalue(res.r, row, 1))});
  return hits;
}

PgSizes PgBaseline::sizes() {
  Result res(PQexec(conn_,
                    "SELECT sum(pg_table_size(c)), sum(pg_indexes_size(c)) FROM "
                    "(VALUES ('ibr_person'::regclass), ('ibr_identifier'::regclass)) v(c)"));
  if (PQresultStatus(res.r) != PGRES_TUPLES_OK)
    throw std::runtime_error("sizes: " + std::string(PQerrorMessage(conn_)));
  return {std::stod(PQgetvalue(res.r, 0, 0)), std::stod(PQgetvalue(res.r, 0, 1))};
}

std::string PgBaseline::server_version() {
  Result res(PQexec(conn_, "SHOW server_version"));
  return PQresultStatus(res.r) == PGRES_TUPLES_OK ? PQgetvalue(res.r, 0, 0) : "?";
}

}  // namespace registrar::bench::ibr
