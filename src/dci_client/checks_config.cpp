#include "dci_client/checks_config.h"

namespace registrar::dci_client {

void declare_checks_config(core::ConfigSchema& s) {
  s.add_int("dci_client.checks.deadline_s", 900,
            "A duplication check still `checking` this many seconds after it was sent fails "
            "with a timeout reason (its answer or callback never came).",
            1, 30 * 86'400);
  s.add_int("dci_client.checks.sweep_ms", 60'000,
            "How often each instance looks for checks past that deadline.", 100, 3'600'000);
  s.add_int("dci_client.checks.batch_size", 100,
            "search_request items (one per check) in one envelope to a data source.", 1, 1000);
  s.add_string("dci_client.checks.mode", "sync",
               "How a run asks when the request does not say: sync (/registry/sync/search) or "
               "async (/registry/search, the answer by callback).",
               [](const core::ConfigValue& v) -> std::optional<std::string> {
                 const auto& s = std::get<std::string>(v);
                 if (s == "sync" || s == "async") return std::nullopt;
                 return "must be sync or async";
               });
  s.add_bool("dci_client.checks.verify_answers", true,
             "Check the signature of every sync answer against the trusted IBR senders, and that "
             "answers and callbacks come from the data source's registry (its receiver_id, when "
             "set). Off only for a registry that does not sign its answers.");
  s.add_string("dci_client.checks.reg_type", "ns:org:RegistryType:IBR",
               "search_criteria.reg_type of our searches.");
  s.add_int("dci_client.checks.page_size", 10,
            "Records asked for per registrant (search_criteria.pagination.page_size).", 1, 1000);
  s.add_string("dci_client.scopes.checks_read", "dci:checks.read",
               "Bearer scope to read checks (without identifier values or raw responses).");
  s.add_string("dci_client.scopes.checks_run", "dci:checks.run",
               "Bearer scope to create, run and retry checks (and to read them in full).");
  s.add_string("dci_client.scopes.checks_delete", "dci:checks.delete",
               "Bearer scope to delete checks (and to read them in full).");
}

CheckSettings read_checks_config(const core::Config& c) {
  CheckSettings s;
  s.deadline = std::chrono::seconds(c.integer("dci_client.checks.deadline_s"));
  s.sweep_interval = std::chrono::milliseconds(c.integer("dci_client.checks.sweep_ms"));
  s.batch_size = int(c.integer("dci_client.checks.batch_size"));
  s.default_mode = c.str("dci_client.checks.mode") == "async" ? RunMode::kAsync : RunMode::kSync;
  s.verify_answers = c.boolean("dci_client.checks.verify_answers");
  s.query.reg_type = c.str("dci_client.checks.reg_type");
  s.query.page_size = int(c.integer("dci_client.checks.page_size"));
  s.scope_read = c.str("dci_client.scopes.checks_read");
  s.scope_run = c.str("dci_client.scopes.checks_run");
  s.scope_delete = c.str("dci_client.scopes.checks_delete");
  return s;
}

}  // namespace registrar::dci_client
