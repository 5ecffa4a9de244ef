#include "authz/cli.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <memory>

#include "authz/service.h"
#include "authz/vocabulary.h"

namespace registrar::authz {
namespace {

void print_row(std::ostream& out, const Assignment& a) {
  out << "  " << a.recipient << "  " << a.role;
  if (a.heir) out << "  granted by heir " << *a.heir;
  out << "  created " << format_created(a.created) << "\n";
}

// The estate's court and other roles, its proxies, and for each collective proxy the rule that
// makes it hold (or that it no longer holds and goes at the next change of the estate).
void print_report(std::ostream& out, const EstateReport& r, const RoleVocabulary& roles) {
  auto reason_for = [&](const std::string& recipient) -> const CollectiveReason* {
    auto it = std::find_if(r.collective.begin(), r.collective.end(),
                           [&](const CollectiveReason& c) { return c.recipient == recipient; });
    return it == r.collective.end() ? nullptr : &*it;
  };
  out << "estate " << r.estate << "\n";
  size_t n_roles = 0, n_proxies = 0;
  for (const auto& a : r.rows) (roles.is_proxy_role(a.role) ? n_proxies : n_roles)++;

  out << "roles (" << n_roles << "):\n";
  for (const auto& a : r.rows)
    if (!roles.is_proxy_role(a.role)) print_row(out, a);

  out << "proxies (" << n_proxies << "):\n";
  for (const auto& a : r.rows) {
    if (!roles.is_proxy_role(a.role)) continue;
    print_row(out, a);
    if (a.role != roles.collective_proxy) continue;
    if (const CollectiveReason* why = reason_for(a.recipient))
      out << "      why: " << why->describe() << "\n";
    else
      out << "      why: no longer eligible under the collective rule (revoked at the next "
             "change of the estate)\n";
  }
  for (const auto& c : r.collective) {
    bool held = std::any_of(r.rows.begin(), r.rows.end(), [&](const Assignment& a) {
      return a.role == roles.collective_proxy && a.recipient == c.recipient;
    });
    if (!held)
      out << "  " << c.recipient << "  eligible for " << roles.collective_proxy
          << " but not granted yet: " << c.describe() << "\n";
  }

  out << "event cursors (" << r.cursors.size() << "):\n";
  for (const auto& [type, time] : r.cursors)
    out << "  " << type << "  last processed " << format_created(time) << "\n";
}

}  // namespace

void add_authz_commands(CLI::App& root, app::ServiceProvider& provider) {
  auto* authz = root.add_subcommand("authz", "Role assignments and proxies of estates.");
  authz->require_subcommand(1);

  auto* show = authz->add_subcommand(
      "show", "Print an estate's roles and proxies, and why each collective proxy holds.");
  static std::string estate;
  show->add_option("estate", estate, "SSN of the estate (11 digits)")->required();
  show->callback([&provider] {
    provider.set_action([&provider] {
      app::Services& s = provider.services();
      AuthzService service(s.db, s.clock, settings_from_config(s.config));
      print_report(std::cout, service.show_estate(estate), service.settings().roles);
      return 0;
    });
  });
}

}  // namespace registrar::authz
