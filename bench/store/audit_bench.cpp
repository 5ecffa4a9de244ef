// What the hash chain costs per audit entry. Each iteration is one transaction of 100 entries
// shaped like dci_client's per-envelope ones, written with store::AuditWriter (head lookup, the
// PostgreSQL advisory lock, SHA-256 and the wider INSERT) and, as the
// baseline, with the INSERT AuditWriter prepared before the chain (same table, same detail).
// SQLite runs with synchronous=FULL as in production, so a commit's fsync is in both figures.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "core/clock.h"
#include "store/audit.h"
#include "store/audit_chain.h"
#include "store/database.h"
#include "store/migrations.h"

using namespace registrar;

namespace {

constexpr int kPerTransaction = 100;

store::AuditEntry entry(int i) {
  nlohmann::json detail = {{"source", "national"},
                           {"state", "completed"},
                           {"result", "no_match"},
                           {"correlation", "c-" + std::to_string(i)}};
  return {"cli:operator", "dci_client.check.complete", "chk-" + std::to_string(i), "", detail};
}

std::unique_ptr<store::Database> open(const std::string& backend) {
  store::DatabaseOptions o;
  if (backend == "postgres") {
    const char* url = std::getenv("REGISTRAR_BENCH_PG_URL");
    if (!url) return nullptr;
    o.url = url;
  } else {
    static const std::string dir = [] {
      char tmpl[] = "/tmp/registrar-audit-bench.XXXXXX";
      return std::string(mkdtemp(tmpl));
    }();
    std::filesystem::remove(dir + "/audit.db");
    o.url = "sqlite:" + dir + "/audit.db";
  }
  o.pool_size = 1;
  auto db = std::make_unique<store::Database>(o);
  core::ManualClock clock{core::SystemTime(std::chrono::seconds(1'700'000'000))};
  store::migrate(*db, {store::platform_schema()}, clock);
  return db;
}

void run(benchmark::State& state, const std::string& backend, bool chained) {
  auto db = open(backend);
  if (!db) {
    state.SkipWithError("REGISTRAR_BENCH_PG_URL not set");
    return;
  }
  const auto now = core::SystemTime(std::chrono::seconds(1'700'000'000));
  int n = 0;
  for (auto _ : state) {
    db->write([&](soci::session& s) {
      if (chained) {
        store::AuditWriter w(s);
        for (int i = 0; i < kPerTransaction; ++i) w.append(entry(n++), now);
        return;
      }
      long long at = core::to_unix_us(now);
      std::string actor, action, subject, rid, detail;
      soci::statement st =
          (s.prepare << "INSERT INTO audit_log (at_us, actor, action, subject, request_id, "
                        "detail) VALUES (:at, :actor, :action, :subject, :rid, :detail)",
           soci::use(at), soci::use(actor), soci::use(action), soci::use(subject), soci::use(rid),
           soci::use(detail));
      for (int i = 0; i < kPerTransaction; ++i) {
        store::AuditEntry e = entry(n++);
        actor = e.actor, action = e.action, subject = e.subject, rid = e.request_id;
        detail = e.detail.dump();
        st.execute(true);
      }
    });
  }
  state.SetItemsProcessed(state.iterations() * kPerTransaction);
  if (backend == "postgres")  // leave the shared database as found
    db->write([](soci::session& s) {
      s << "DROP TABLE audit_log";
      s << "DROP TABLE schema_migrations";
      s << "DROP FUNCTION audit_log_append_only";
    });
}

void BM_AuditHash(benchmark::State& state) {
  std::string detail = entry(1).detail.dump(), prev(store::kAuditGenesisHash);
  for (auto _ : state) {
    prev = store::audit_hash({1'700'000'000'000'000, "cli:operator", "dci_client.check.complete",
                              "chk-1", "", std::nullopt, detail},
                             prev);
    benchmark::DoNotOptimize(prev);
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(BM_AuditHash);
BENCHMARK_CAPTURE(run, sqlite_unchained, std::string("sqlite"), false)
    ->Unit(benchmark::kMicrosecond)
    ->MinTime(2);
BENCHMARK_CAPTURE(run, sqlite_chained, std::string("sqlite"), true)
    ->Unit(benchmark::kMicrosecond)
    ->MinTime(2);
BENCHMARK_CAPTURE(run, postgres_unchained, std::string("postgres"), false)
    ->Unit(benchmark::kMicrosecond)
    ->MinTime(2);
BENCHMARK_CAPTURE(run, postgres_chained, std::string("postgres"), true)
    ->Unit(benchmark::kMicrosecond)
    ->MinTime(2);
BENCHMARK_MAIN();
