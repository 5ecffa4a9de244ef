#include "sync/cli.h"

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "core/cli_support.h"
#include "core/error.h"
#include "sync/csv.h"
#include "sync/service.h"

namespace registrar::sync {
namespace {

using core::cli_actor;

// Rows per transaction of a CLI import: big enough to load millions of rows quickly, small
// enough that a bad row late in a file leaves the earlier chunks loaded and named.
constexpr size_t kImportChunk = 5'000;

SyncService make_service(app::ServiceProvider& provider) {
  app::Services& s = provider.services();
  SyncSettings settings;
  settings.template_module = s.config.str("sync.template_module");
  return SyncService(s.db, s.clock, settings);
}

template <class F>
void on_run(CLI::App* verb, app::ServiceProvider& provider, F fn) {
  verb->callback([&provider, fn] {
    provider.set_action([&provider, fn] {
      SyncService service = make_service(provider);
      fn(service);
      return 0;
    });
  });
}

const Entity& entity_named(const std::string& name) {
  const Entity* e = find_entity(name);
  if (!e) {
    std::string names;
    for (const auto& x : catalogue()) names += (names.empty() ? "" : ", ") + x.name;
    throw core::invalid_argument("no entity '" + name + "'; the entities are " + names);
  }
  return *e;
}

bool ends_with(const std::string& s, const char* suffix) {
  std::string_view x(suffix);
  return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

// The rows of a .csv (header line first) or JSON-lines file, labelled by line for errors.
std::vector<SyncService::BatchItem> read_rows(const Entity& entity, const std::string& path) {
  std::string text = core::read_whole_file(path);
  std::vector<SyncService::BatchItem> items;
  if (ends_with(path, ".csv")) {
    auto records = parse_csv(text);
    if (records.empty()) return items;
    for (size_t i = 1; i < records.size(); ++i) {
      std::string label = path + ": record " + std::to_string(i + 1);
      try {
        items.push_back({&entity, csv_record_to_row(entity, records[0], records[i]), false,
                         std::nullopt, label});
      } catch (const core::Error& e) {
        throw core::invalid_argument(label + ": " + (e.field().empty() ? "" : e.field() + " ") +
                                     e.what());
      }
    }
    return items;
  }
  size_t start = 0, line = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view l(text.data() + start, end - start);
    start = end + 1;
    ++line;
    if (l.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    std::string label = path + ": line " + std::to_string(line);
    Json body = Json::parse(l, nullptr, false);
    if (body.is_discarded()) throw core::invalid_argument(label + ": not JSON");
    items.push_back({&entity, std::move(body), false, std::nullopt, label});
  }
  return items;
}

void add_machine_commands(CLI::App& sync, app::ServiceProvider& provider) {
  auto* machines = sync.add_subcommand("machines", "Registration machines and their keys.");
  machines->require_subcommand(1);

  struct AddArgs {
    std::string name, centre, key_file, sign_key_file, id, spec;
  };
  auto args = std::make_shared<AddArgs>();
  auto* add = machines->add_subcommand(
      "add", "Onboard a machine: its encryption public key (and signing key) and its centre.");
  add->add_option("NAME", args->name, "The machine's name (its host name)")->required();
  add->add_option("--centre", args->centre, "Its registration centre's id")->required();
  add->add_option("--public-key-file", args->key_file, "Encryption public key (PEM)")->required();
  add->add_option("--sign-public-key-file", args->sign_key_file, "Signing public key (PEM)");
  add->add_option("--id", args->id,
                  "The machine id (default: one more than the largest numeric id)");
  add->add_option("--spec", args->spec, "Its machine specification's id");
  on_run(add, provider, [args](SyncService& service) {
    Json body = {{"name", args->name},
                 {"regCenterId", args->centre},
                 {"publicKey", core::read_whole_file(args->key_file)}};
    if (!args->sign_key_file.empty())
      body["signPublicKey"] = core::read_whole_file(args->sign_key_file);
    if (!args->spec.empty()) body["machineSpecId"] = args->spec;
    std::string id = args->id;
    if (id.empty()) {
      // Machine ids are numeric in MOSIP (the kernel's machine id generator starts at 10001).
      int64_t largest = 10000;
      db::ListQuery q;
      q.entity = "machines";
      q.include_deleted = true;
      q.limit = 1000;
      service.db().read([&](soci::session& s) {
        db::for_each_row(s, q, [&](const RowState& r) {
          if (!r.id.empty() && r.id.find_first_not_of("0123456789") == std::string::npos &&
              r.id.size() < 18)
            largest = std::max<int64_t>(largest, std::stoll(r.id));
        });
      });
      id = std::to_string(largest + 1);
    }
    body["id"] = id;
    WriteResult w = service.put(*find_entity("machines"), body, cli_actor(), 0);
    Json data = Json::parse(w.row->data);
    std::cout << "machine " << id << " (" << args->name << ") at centre " << args->centre
              << "\nkeyIndex " << data.value("keyIndex", "") << "\n";
    if (data.contains("signKeyIndex"))
      std::cout << "signKeyIndex " << data["signKeyIndex"].get<std::string>() << "\n";
  });

  auto* list = machines->add_subcommand("list", "Machines, their centres and key indexes.");
  on_run(list, provider, [](SyncService& service) {
    db::ListQuery q;
    q.entity = "machines";
    q.limit = 1000;
    service.db().read([&](soci::session& s) {
      db::for_each_row(s, q, [](const RowState& r) {
        Json d = Json::parse(r.data);
        std::cout << r.id << "  " << d.value("name", "") << "  "
                  << (r.active ? "active" : "inactive")
                  << "  centre=" << d.value("regCenterId", "-")
                  << "  keyIndex=" << d.value("keyIndex", "-") << "\n";
      });
    });
  });
}

void add_data_commands(CLI::App& sync, app::ServiceProvider& provider) {
  auto entity = std::make_shared<std::string>();
  auto file = std::make_shared<std::string>();
  auto* import = sync.add_subcommand(
      "import", "Load rows of an entity from FILE (.csv with a header line, or JSON lines).");
  import->add_option("ENTITY", *entity, "The entity (GET /v1/masterdata lists them)")->required();
  import->add_option("FILE", *file, "The file")->required();
  on_run(import, provider, [entity, file](SyncService& service) {
    const Entity& e = entity_named(*entity);
    auto items = read_rows(e, *file);
    size_t created = 0, updated = 0, unchanged = 0;
    for (size_t at = 0; at < items.size(); at += kImportChunk) {
      std::vector<SyncService::BatchItem> chunk(
          items.begin() + at, items.begin() + std::min(items.size(), at + kImportChunk));
      for (const auto& w : service.apply_batch(chunk, cli_actor(), "sync." + e.name + ".import")) {
        if (w.status == WriteStatus::kCreated)
          ++created;
        else if (w.status == WriteStatus::kUpdated)
          ++updated;
        else
          ++unchanged;
      }
    }
    std::cout << e.name << ": " << items.size() << " rows, " << created << " created, " << updated
              << " updated, " << unchanged << " unchanged\n";
  });

  auto include_deleted = std::make_shared<bool>(false);
  auto export_entity = std::make_shared<std::string>();
  auto* exp = sync.add_subcommand("export", "Write an entity's rows as JSON lines to stdout.");
  exp->add_option("ENTITY", *export_entity, "The entity")->required();
  exp->add_flag("--include-deleted", *include_deleted, "Deleted rows too");
  on_run(exp, provider, [export_entity, include_deleted](SyncService& service) {
    const Entity& e = entity_named(*export_entity);
    db::ListQuery q;
    q.entity = e.name;
    q.include_deleted = *include_deleted;
    q.limit = 1000;
    service.db().read([&](soci::session& s) {
      db::for_each_row(s, q, [](const RowState& r) {
        std::cout << SyncService::render(r, false).dump() << "\n";
      });
    });
  });
}

}  // namespace

void add_sync_commands(CLI::App& root, app::ServiceProvider& provider) {
  auto* sync = root.add_subcommand("sync", "sync: master data, machines, imports and exports.");
  sync->require_subcommand(1);
  add_machine_commands(*sync, provider);
  add_data_commands(*sync, provider);
}

}  // namespace registrar::sync
