#include "ids/cli.h"

#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <iostream>

#include "core/cli_support.h"
#include "core/error.h"
#include "ids/restore.h"
#include "ids/service.h"
#include "ids/store.h"
#include "services/sealing.h"
#include "store/database.h"

namespace registrar::ids {

namespace {

using core::cli_actor;

IdType type_arg(const std::string& name) {
  auto t = parse_id_type(name);
  if (!t) throw core::invalid_argument("type must be uin, vid or prid", "type");
  return *t;
}

std::string with_commas(double v) {
  std::string digits = std::to_string(static_cast<unsigned long long>(std::llround(v)));
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

}  // namespace

void add_ids_commands(CLI::App& root, app::ServiceProvider& provider) {
  auto service = [&provider]() {
    static std::unique_ptr<IdsService> built;
    if (!built) {
      // identity: the master key the stored issuance key is sealed with.
      auto& s = provider.started({"identity"});
      built = std::make_unique<IdsService>(read_ids_config(s.config), s.db, s.clock, s.background,
                                           nullptr, &s.registry.find<services::Sealing>());
    }
    return built.get();
  };

  auto* ids = root.add_subcommand("ids", "Identifiers: issue, validate, capacity.");
  ids->require_subcommand(1);

  static std::string type, id, centre, machine;
  static int count = 1;
  auto* issue =
      ids->add_subcommand("issue", "Issue IDs (recorded as ISSUED) and print one a line.");
  issue->add_option("type", type, "uin, vid or prid")->required();
  issue->add_option("--count", count, "How many (default 1)")->check(CLI::Range(1, 1'000'000));
  issue->callback([&provider, service] {
    provider.set_action([service] {
      IdType t = type_arg(type);
      int left = count;
      while (left > 0) {
        int n = std::min(left, 1000);
        auto o = service()->issue(IssueRequest{t, n, std::nullopt, cli_actor()});
        if (!o.ok()) throw *o.error;
        for (auto& x : o.ids) std::cout << x << "\n";
        left -= n;
      }
      service()->stop();
      return 0;
    });
  });

  auto* validate = ids->add_subcommand(
      "validate", "Validate an ID with MOSIP's rules; exit 0 when valid, 1 with the error codes.");
  validate->add_option("type", type, "uin, vid, prid, rid or misp")->required();
  validate->add_option("id", id, "The ID")->required();
  validate->add_option("--centre", centre, "RID: expected centre id");
  validate->add_option("--machine", machine, "RID: expected machine id");
  validate->callback([&provider, service] {
    provider.set_action([service] {
      ValidationResult r;
      if (auto t = parse_id_type(type)) {
        r = service()->validator(*t).validate(id, Detail::kAll);
      } else if (type == "rid") {
        std::optional<std::string_view> c, m;
        if (!centre.empty()) c = centre;
        if (!machine.empty()) m = machine;
        r = validate_rid(id, service()->config().rid, c, m, Detail::kAll);
      } else if (type == "misp") {
        r = validate_misp_id(id, service()->config().sequences.misp_length);
      } else {
        throw core::invalid_argument("type must be uin, vid, prid, rid or misp", "type");
      }
      service()->stop();
      if (r.ok()) {
        std::cout << "valid\n";
        return 0;
      }
      for (IdError e : r.all())
        std::cout << error_code(e) << "  " << error_message(e, r.param) << "\n";
      return 1;
    });
  });

  auto* cap = ids->add_subcommand(
      "capacity",
      "How many IDs the policy admits (exact up to 12 digits, else an estimate) and "
      "how many are issued.");
  cap->add_option("type", type, "uin, vid or prid")->required();
  cap->callback([&provider, service] {
    provider.set_action([service] {
      IdType t = type_arg(type);
      auto r = service()->capacity(t);
      const Capacity& c = r.capacity;
      std::cout << id_type_name(t) << " (" << service()->config().policy(t).length << " digits)\n";
      if (c.exact) {
        std::cout << "capacity: " << with_commas(c.count) << " (exact)\n";
      } else {
        char conf[32];
        std::snprintf(conf, sizeof conf, "%.0f%%", c.confidence * 100);
        std::cout << "capacity: about " << with_commas(c.count) << " (estimate; " << conf
                  << " confidence interval " << with_commas(c.low) << " to " << with_commas(c.high)
                  << ", " << c.samples << " samples)\n";
      }
      std::cout << "issued:   " << with_commas(double(r.issued)) << "\n";
      std::cout << "remaining: " << with_commas(std::max(0.0, c.count - double(r.issued)))
                << (c.exact ? "" : " (estimate)") << "\n";
      service()->stop();
      return 0;
    });
  });

  static int64_t by = 0;
  auto* skip = ids->add_subcommand(
      "skip-ahead",
      "Move a counter (uin, vid, prid) or a sequence (machine, centre, misp, partner) forward "
      "so that the next IDs are new ones: after a restore, when more was issued since the "
      "backup than `restore` assumed (docs/operations.md). Audited.");
  skip->add_option("kind", type, "uin, vid, prid, machine, centre, misp or partner")->required();
  skip->add_option("--by", by, "Counters (uin, vid, prid) or IDs (sequences) to skip")
      ->required()
      ->check(CLI::PositiveNumber);
  skip->callback([&provider] {
    provider.set_action([&provider] {
      auto& s = provider.services();
      IdsConfig config = read_ids_config(s.config);
      s.db.write([&](soci::session& session) {
        skip_ahead(session, s.db.backend(), config, type, by, core::to_unix_us(s.clock.now()),
                   std::cout);
      });
      return 0;
    });
  });
}

}  // namespace registrar::ids
