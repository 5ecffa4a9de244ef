// Baseline for durable issuance: raw SQLite, the way registrar configures it (WAL,
// synchronous=FULL, a 64 MiB page cache), inserting 100-row transactions of issued-ID-shaped rows
// into a file in the given directory for the given time, on one thread, with no server or pool in
// the way. Prints "rows_per_second <n> cpu_us_per_row <x> bytes_per_row <y>"; bench/ids/http.sh
// runs it beside issuance over HTTP and reports the ratio of the rates.
//
//   sqlite_durable DIR SECONDS [ROWS_PER_TRANSACTION]
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <string>

#include <sys/resource.h>

namespace {

void check(int rc, sqlite3* db, const char* what) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return;
  std::fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
  std::exit(1);
}

void exec(sqlite3* db, const char* sql) {
  check(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), db, sql);
}

// Bytes this process caused to be written to storage so far (0 where /proc is missing).
long long write_bytes() {
  std::ifstream io("/proc/self/io");
  std::string key;
  long long value = 0;
  while (io >> key >> value)
    if (key == "write_bytes:") return value;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: sqlite_durable DIR SECONDS [ROWS_PER_TRANSACTION]\n");
    return 2;
  }
  const std::string path = std::string(argv[1]) + "/raw_baseline.db";
  const double seconds = std::atof(argv[2]);
  const int per_tx = argc > 3 ? std::atoi(argv[3]) : 100;
  sqlite3* db = nullptr;
  check(sqlite3_open(path.c_str(), &db), db, "open");
  exec(db, "PRAGMA journal_mode=WAL");
  exec(db, "PRAGMA synchronous=FULL");
  exec(db, "PRAGMA cache_size=-65536");  // registrar's default database.sqlite_cache_mib (64)
  // The columns of ids_issued: the same row width and index work as a real issuance.
  exec(db,
       "CREATE TABLE IF NOT EXISTS issued (id_type TEXT NOT NULL, id TEXT NOT NULL, counter "
       "INTEGER NOT NULL, status TEXT NOT NULL, created_us INTEGER NOT NULL, updated_us INTEGER "
       "NOT NULL, expires_us INTEGER, actor TEXT NOT NULL, PRIMARY KEY (id_type, id))");
  sqlite3_stmt* insert = nullptr;
  check(sqlite3_prepare_v2(db,
                           "INSERT INTO issued (id_type, id, counter, status, created_us, "
                           "updated_us, expires_us, actor) VALUES ('uin', ?, ?, 'ISSUED', ?, ?, "
                           "NULL, 'bench')",
                           -1, &insert, nullptr),
        db, "prepare");
  using clock = std::chrono::steady_clock;
  const long long written_before = write_bytes();
  const auto start = clock::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  long long counter = 0;
  // Issued UINs are spread over their whole space (a keyed permutation of a counter), so each new
  // row lands at an unrelated place in the primary-key index. Multiplying by a constant modulo the
  // space does the same without repeats, if the constant is coprime with the space and its ratio
  // to the space is badly approximable: 0.618... (the golden ratio's), so that any run of
  // consecutive counters lands spread evenly over the whole index. (Until 2026-12-03 the constant
  // was 1,999,999,973, about 2/9 of the space: consecutive keys fell into 9 sequential streams,
  // so the baseline appended to 9 places of its index instead of scattering, and wrote about a
  // quarter of the pages a real issuance does; see docs/performance.md.)
  auto scatter = [](long long c) {
    constexpr unsigned long long kSpace = 8'999'999'999ULL, kStep = 5'562'305'898ULL;
    static_assert(std::gcd(kSpace, kStep) == 1, "a permutation of the space");
    return static_cast<long long>(static_cast<unsigned __int128>(c) % kSpace * kStep % kSpace);
  };
  while (clock::now() < end) {
    exec(db, "BEGIN IMMEDIATE");
    for (int i = 0; i < per_tx; ++i, ++counter) {
      std::string id = std::to_string(1'000'000'000LL + scatter(counter));
      sqlite3_bind_text(insert, 1, id.c_str(), int(id.size()), SQLITE_TRANSIENT);
      sqlite3_bind_int64(insert, 2, counter);
      sqlite3_bind_int64(insert, 3, counter);
      sqlite3_bind_int64(insert, 4, counter);
      check(sqlite3_step(insert), db, "insert");
      sqlite3_reset(insert);
    }
    exec(db, "COMMIT");
  }
  const double took = std::chrono::duration<double>(clock::now() - start).count();
  sqlite3_finalize(insert);
  sqlite3_close(db);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double cpu = double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                     double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  // The rate first (bench/ids/http.sh reads it), then what each row cost: CPU time (set-up
  // included, a few ms) and bytes the process had written to the disk (/proc/self/io).
  std::printf("rows_per_second %.0f cpu_us_per_row %.2f bytes_per_row %.0f\n",
              double(counter) / took, cpu * 1e6 / double(counter),
              double(write_bytes() - written_before) / double(counter));
  return 0;
}
