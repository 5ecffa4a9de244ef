// sync_bench (issue 16): the sync module's server-side cost at scale, through the store and
// service directly (no HTTP): load SYNC_BENCH_ROWS rows (workload.h) through db::apply in large
// transactions; apply 100 changes to the big centre; then, for the big centre's machine,
//   full sync  — clientsettings' (v1) entities' window [epoch, now] (the route's statements:
//                client_settings_queries), each row
//                rendered as clients read it (SyncService::render), each entity's list
//                encrypted to the machine's RSA key (encrypt_for_machine_b64), the body built;
//   delta      — the same over the window of the 100 changes;
//   pull       — the cursor API (pull_changes: the cached machine, one statement per page) from
//                0 to the head in pages, and at the head (a client up to date asking again).
// Each figure is also given as selection only, the part PostgreSQL's baseline does.
// With --baseline-pg URL it also loads the same rows MOSIP-shaped into that database and writes
// the pgbench scripts of MOSIP's full and delta queries (mosip_baseline.h) into --out.
// Usage: sync_bench --db URL --out DIR [--baseline-pg URL]
// Environment: SYNC_BENCH_ROWS (10,000,000), SYNC_BENCH_CENTRES (1,000), SYNC_BENCH_BATCH (rows
// per transaction, 50,000), SYNC_BENCH_FULL_RUNS (5), SYNC_BENCH_DELTA_RUNS (200),
// SYNC_BENCH_PAGE (pull page size, 500).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "core/clock.h"
#include "crypto/keys.h"
#include "mosip_baseline.h"
#include "store/database.h"
#include "store/migrations.h"
#include "sync/catalogue.h"
#include "sync/cursor_pull.h"
#include "sync/machine_crypto.h"
#include "sync/mosip_selection.h"
#include "sync/service.h"
#include "sync/store.h"
#include "workload.h"

using namespace registrar;
using namespace registrar::sync_bench;
using Clock = std::chrono::steady_clock;

namespace {

int64_t env_int(const char* name, int64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoll(v) : fallback;
}

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct Stats {
  double median = 0, p99 = 0, min = 0;
};
Stats stats(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v[static_cast<size_t>(0.99 * static_cast<double>(v.size() - 1))],
          v.front()};
}

// How far a client sync goes: the selection alone, or the whole answer.
enum class Stage { kSelect, kAnswer };

struct SyncResult {
  size_t rows = 0, bytes = 0;
};

// One client sync of the window [from, to] for the machine, as the clientsettings route (v1)
// answers it: its statements (client_settings_queries), then per entity with rows, its rows
// rendered into a JSON list, encrypted to the machine.
SyncResult client_sync(store::Database& db, const sync::MachineContext& machine,
                       const crypto::PublicKey& key, int64_t from_us, int64_t to_us, Stage stage) {
  SyncResult out;
  std::map<std::string, sync::Json> lists;
  const auto queries = sync::client_settings_queries(machine, false, {}, {from_us, to_us, false});
  db.read([&](soci::session& s) {
    for (const auto& q : queries)
      sync::db::select_window(s, q, [&](const sync::RowState& r) {
        ++out.rows;
        if (stage == Stage::kAnswer) lists[r.entity].push_back(sync::SyncService::render(r, false));
      });
  });
  if (stage == Stage::kSelect) return out;
  sync::Json data_to_sync = sync::Json::array();
  for (const auto& e : sync::catalogue()) {
    auto list = lists.find(e.name);
    if (list == lists.end()) continue;
    data_to_sync.push_back({{"entityName", e.mosip_name},
                            {"entityType", "structured"},
                            {"data", sync::encrypt_for_machine_b64(key, list->second.dump())}});
  }
  sync::Json body = {{"response",
                      {{"lastSyncTime", core::format_rfc3339(core::from_unix_us(to_us), true)},
                       {"dataToSync", std::move(data_to_sync)}}},
                     {"errors", sync::Json::array()}};
  out.bytes = body.dump().size();
  return out;
}

// One page of the cursor API as the route answers it (the cached machine, one statement, each
// item rendered, the body serialised); returns the next cursor, the page's size and `more`.
struct PullResult {
  std::string cursor;
  size_t items = 0;
  bool more = false;
};
PullResult pull_page(sync::MachineCache& machines, const std::string& machine,
                     const std::string& cursor, int page) {
  sync::Json answer = sync::pull_changes(machines, machine, cursor, page);
  std::string body = answer.dump();
  return {answer["cursor"].get<std::string>(), answer["changes"].size(),
          answer["more"].get<bool>()};
}

void print_stats(const char* what, const Stats& s, const std::string& extra) {
  std::printf("%-52s median %9.3f ms  p99 %9.3f ms  min %9.3f ms  %s\n", what, s.median, s.p99,
              s.min, extra.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  std::string url, out_dir, baseline_url;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--db") url = argv[i + 1];
    if (a == "--out") out_dir = argv[i + 1];
    if (a == "--baseline-pg") baseline_url = argv[i + 1];
  }
  if (url.empty() || out_dir.empty()) {
    std::cerr << "usage: sync_bench --db URL --out DIR [--baseline-pg URL]\n";
    return 2;
  }
  const Shape shape = shape_for(env_int("SYNC_BENCH_ROWS", 10'000'000),
                                static_cast<int>(env_int("SYNC_BENCH_CENTRES", 1000)));
  const size_t batch = static_cast<size_t>(env_int("SYNC_BENCH_BATCH", 50'000));
  const int page = static_cast<int>(env_int("SYNC_BENCH_PAGE", 500));
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // run.sh tees the lines as they come
  std::ofstream figures(out_dir + "/figures.env");

  // The big centre's machine key: RSA-2048 as MOSIP's LOCAL machine keys.
  // and its signing key for the cursor API (Ed25519).
  auto machine_key = crypto::PrivateKey::generate(crypto::KeyType::kRsa, 2048);
  auto sign_key = crypto::PrivateKey::generate(crypto::KeyType::kEd25519);
  MachineKeys keys{machine_key.public_key().to_pem(), sign_key.public_key().to_pem(), "", ""};
  keys.encryption_index = sync::key_index_of(keys.encryption, "publicKey");
  keys.signing_index = sync::key_index_of(keys.signing, "signPublicKey");
  std::ofstream(out_dir + "/machine.pem") << machine_key.to_pem();
  std::ofstream(out_dir + "/machine-sign.pem") << sign_key.to_pem();

  store::DatabaseOptions options;
  options.url = url;
  options.pool_size = 1;
  store::Database db(options);
  const core::SystemClock& clock = core::SystemClock::instance();
  store::migrate(db, {store::platform_schema(), {"sync", sync::sync_migrations()}}, clock);

  // Rows created a year before now, one second apart per transaction, so that every change
  // made now is after all of them.
  const int64_t now_us = core::to_unix_us(clock.now());
  const int64_t t0_us = now_us - 365LL * 86'400 * 1'000'000;
  std::printf("sync: %lld rows, %d centres (centre %s: %lld rows), %lld global rows; %s\n",
              static_cast<long long>(shape.rows), shape.centres, centre_id(0).c_str(),
              static_cast<long long>(shape.big_centre_rows),
              static_cast<long long>(shape.global_rows), db.redacted_url().c_str());
  std::fflush(stdout);

  auto load_start = Clock::now();
  int64_t b = 0, loaded = 0;
  generate(shape, batch, keys, [&](std::vector<sync::RowWrite>& rows) {
    db.write(
        [&](soci::session& s) { sync::db::apply(s, rows, "bench-loader", t0_us + b * 1'000'000); });
    ++b;
    loaded += static_cast<int64_t>(rows.size());
    if (loaded % 1'000'000 < static_cast<int64_t>(rows.size()))
      std::fprintf(stderr, "  loaded %lld rows, %.0f s\n", static_cast<long long>(loaded),
                   ms_since(load_start) / 1000);
  });
  const double load_s = ms_since(load_start) / 1000;
  std::printf("%-52s %lld rows in %.1f s (%.0f rows/s, %lld-row transactions)\n",
              "load through db::apply", static_cast<long long>(loaded), load_s, loaded / load_s,
              static_cast<long long>(batch));
  figures << "LOAD_ROWS=" << loaded << "\nLOAD_S=" << load_s << "\n";
  if (url.rfind("sqlite:", 0) == 0) {
    auto bytes = std::filesystem::file_size(url.substr(7));
    std::printf("%-52s %.0f MB (%.0f bytes per row)\n", "SQLite file", bytes / 1e6,
                double(bytes) / double(loaded));
  }

  // The big centre's machine as the routes will find it.
  const std::string& key_index = keys.encryption_index;
  db.write([&](soci::session& s) {
    sync::db::set_machine_keys(s, machine_id(0), key_index, keys.signing_index);
  });
  figures << "MACHINE_ID=" << machine_id(0) << "\nMACHINE_KEY_INDEX=" << key_index << "\n";
  sync::MachineContext machine;
  machine.id = machine_id(0);
  machine.centre = centre_id(0);
  machine.holiday_location = holiday_location(0);

  // 100 changes by an operator, one transaction.
  const auto edits = changes(shape, 100);
  const int64_t t1_us = core::to_unix_us(clock.now());
  auto edit_start = Clock::now();
  db.write([&](soci::session& s) { sync::db::apply(s, edits, "bench-operator", t1_us); });
  std::printf("%-52s %.3f ms\n", "100 changes, one transaction", ms_since(edit_start));
  // MOSIP's delta: from the client's lastSyncTime (before the changes) to now.
  const int64_t delta_from = t1_us - 1'000'000, to_us = t1_us + 1'000'000;
  figures << "DELTA_FROM=" << core::format_rfc3339(core::from_unix_us(delta_from), true) << "\n";

  const auto& key = machine_key.public_key();
  for (Stage stage : {Stage::kSelect, Stage::kAnswer}) {
    const char* tag = stage == Stage::kSelect ? "selection only" : "select+render+encrypt";
    std::vector<double> full, delta;
    SyncResult fr, dr;
    for (int64_t i = 0; i < env_int("SYNC_BENCH_FULL_RUNS", 5); ++i) {
      auto t = Clock::now();
      fr = client_sync(db, machine, key, 0, to_us, stage);
      full.push_back(ms_since(t));
    }
    for (int64_t i = 0; i < env_int("SYNC_BENCH_DELTA_RUNS", 200); ++i) {
      auto t = Clock::now();
      dr = client_sync(db, machine, key, delta_from, to_us, stage);
      delta.push_back(ms_since(t));
    }
    Stats fs = stats(full), ds = stats(delta);
    std::string full_what = std::string("full sync, centre ") + centre_id(0) + ", " + tag;
    std::string delta_what = std::string("delta of 100 changes, ") + tag;
    print_stats(full_what.c_str(), fs,
                std::to_string(fr.rows) + " rows" +
                    (fr.bytes ? ", " + std::to_string(fr.bytes / 1000) + " kB body" : ""));
    print_stats(delta_what.c_str(), ds,
                std::to_string(dr.rows) + " rows" +
                    (dr.bytes ? ", " + std::to_string(dr.bytes) + " B body" : ""));
    std::string k = stage == Stage::kSelect ? "SELECT" : "ANSWER";
    figures << "FULL_" << k << "_MS=" << fs.median << "\nFULL_ROWS=" << fr.rows << "\nDELTA_" << k
            << "_MS=" << ds.median << "\nDELTA_" << k << "_P99_MS=" << ds.p99
            << "\nDELTA_ROWS=" << dr.rows << "\n";
  }

  // Pull: a new machine catching up from 0, then an up-to-date one asking again (its machine
  // cached, as the route's).
  sync::SyncService service(db, clock, {});
  sync::MachineCache machines(service);
  auto pull_start = Clock::now();
  std::string cursor = "0";
  int64_t pages = 0, items = 0;
  for (;;) {
    auto r = pull_page(machines, machine_id(0), cursor, page);
    cursor = r.cursor;
    ++pages;
    items += static_cast<int64_t>(r.items);
    if (!r.more) break;
  }
  double pull_s = ms_since(pull_start) / 1000;
  std::printf("%-52s %lld pages of %d, %lld items in %.2f s: %.0f pages/s, %.0f items/s\n",
              "pull from cursor 0 (catch-up)", static_cast<long long>(pages), page,
              static_cast<long long>(items), pull_s, pages / pull_s, items / pull_s);
  auto idle_start = Clock::now();
  int64_t idle = 0;
  while (ms_since(idle_start) < 2000) {
    pull_page(machines, machine_id(0), cursor, page);
    ++idle;
  }
  double idle_rate = idle / (ms_since(idle_start) / 1000);
  std::printf("%-52s %.0f pulls/s\n", "pull at the head (nothing new)", idle_rate);
  figures << "PULL_PAGE=" << page << "\nPULL_PAGES_S=" << pages / pull_s
          << "\nPULL_ITEMS_S=" << items / pull_s << "\nPULL_IDLE_S=" << idle_rate << "\n";

  if (!baseline_url.empty()) {
    double s = load_mosip_baseline(baseline_url, shape, batch, keys, t0_us, edits, t1_us);
    std::printf("%-52s %lld rows in %.1f s (COPY, then indexes)\n", "baseline load (PostgreSQL)",
                static_cast<long long>(shape.rows), s);
    figures << "BASELINE_LOAD_S=" << s << "\n";
    std::ofstream(out_dir + "/mosip_full.pgbench") << mosip_sync_script(0, to_us);
    std::ofstream(out_dir + "/mosip_delta.pgbench") << mosip_sync_script(delta_from, to_us);
  }
  return 0;
}
