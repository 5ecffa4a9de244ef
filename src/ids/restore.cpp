#include "ids/restore.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/cli_support.h"
#include "core/clock.h"
#include "core/error.h"
#include "ids/store.h"
#include "store/audit.h"

namespace registrar::ids {

namespace {

constexpr int64_t kDayUs = 86'400'000'000;
constexpr const char* kSequenceKinds[] = {"machine", "centre", "misp", "partner"};

std::optional<SequenceIdRule> sequence_rule(const IdsConfig& config, const std::string& kind) {
  SequenceIdRule rule;
  rule.restricted_numbers = config.sequences.restricted_numbers;
  const auto& sc = config.sequences;
  if (kind == "machine")
    rule.length = sc.machine_length;
  else if (kind == "centre")
    rule.length = sc.centre_length;
  else if (kind == "misp")
    rule.length = sc.misp_length;
  else if (kind == "partner")
    rule.length = sc.partner_length;
  else
    return std::nullopt;
  return rule;
}

// Moves a sequence `values` IDs forward (as if they had been issued); returns the new last
// value, or nullopt when the sequence was never used (nothing can have been lost).
std::optional<int64_t> advance_sequence(soci::session& s, store::Backend backend,
                                        const SequenceIdRule& rule, const std::string& kind,
                                        int64_t values, int64_t now_ms) {
  auto last = sequence_last(s, backend, kind);
  if (!last) return std::nullopt;
  uint64_t value = uint64_t(*last);
  for (int64_t i = 0; i < values; ++i) {
    auto next = next_sequence_id(value, rule);
    if (!next) break;  // the sequence is used up: nothing more can be issued anyway
    value = *next;
  }
  sequence_store(s, kind, last, int64_t(value), now_ms);
  return int64_t(value);
}

void audit(soci::session& s, const std::string& action, const std::string& subject,
           nlohmann::json detail, int64_t now_us) {
  store::append_audit(s, {core::cli_actor(), action, subject, "", std::move(detail)},
                      core::from_unix_us(now_us));
}

}  // namespace

int64_t counter_skip(const CounterUse& use, int64_t now_us, int64_t block_size) {
  const int64_t floor = 10 * std::max<int64_t>(block_size, 1);
  if (!use.newest_us) return floor;
  const int64_t per_day =
      std::max<int64_t>(0, use.last_counter_last_day - use.first_counter_last_day + 1);
  const int64_t elapsed_us = std::max<int64_t>(0, now_us - *use.newest_us);
  const int64_t days = elapsed_us / kDayUs + 1;  // the day under way counts whole
  // Saturate instead of overflowing: a skip past the counter space just ends issuance.
  const int64_t cap = int64_t(1) << 62;
  int64_t skip = per_day > cap / (2 * days) ? cap : 2 * per_day * days;
  return std::max(skip, floor);
}

void advance_after_restore(soci::session& s, store::Backend backend, const IdsConfig& config,
                           int64_t now_us, std::ostream& out) {
  nlohmann::json detail = nlohmann::json::object();
  for (const std::string& type : counter_types(s)) {
    CounterUseRow row = counter_use(s, type, kDayUs);
    CounterUse use{row.newest_us, row.min_counter, row.max_counter};
    int64_t skip = counter_skip(use, now_us, config.issuance.block_size);
    int64_t from = lease_counters(s, backend, type, skip);
    out << "ids: " << type << " counters moved forward by " << skip << " (from " << from << " to "
        << from + skip << ")\n";
    detail[type] = skip;
  }
  for (const char* kind : kSequenceKinds) {
    auto rule = sequence_rule(config, kind);
    auto now = advance_sequence(s, backend, *rule, kind, kSequenceSkip, now_us / 1000);
    if (!now) continue;
    out << "ids: " << kind << " IDs moved forward by " << kSequenceSkip << " (last " << *now
        << ")\n";
    detail[kind] = kSequenceSkip;
  }
  int64_t held = hold_unassigned(s, now_us / 1000);
  if (held > 0)
    out << "ids: " << held
        << " UNASSIGNED IDs set back to ISSUED (one may have been reissued after the backup; "
           "return it to the pool again once you know it is unused)\n";
  detail["unassigned_held"] = held;
  audit(s, "ids.restore.advance", "ids", std::move(detail), now_us);
}

void skip_ahead(soci::session& s, store::Backend backend, const IdsConfig& config,
                const std::string& kind, int64_t by, int64_t now_us, std::ostream& out) {
  if (by <= 0) throw core::invalid_argument("--by must be a positive number", "by");
  if (auto rule = sequence_rule(config, kind)) {
    auto now = advance_sequence(s, backend, *rule, kind, by, now_us / 1000);
    if (!now) throw core::invalid_argument("no " + kind + " ID was ever issued", "kind");
    out << "ids: " << kind << " IDs moved forward by " << by << " (last " << *now << ")\n";
  } else if (kind == "uin" || kind == "vid" || kind == "prid") {
    if (!counter_state(s, kind))
      throw core::invalid_argument("no " + kind + " was ever issued", "kind");
    int64_t from = lease_counters(s, backend, kind, by);
    out << "ids: " << kind << " counters moved forward by " << by << " (from " << from << " to "
        << from + by << ")\n";
  } else {
    throw core::invalid_argument("kind must be uin, vid, prid, machine, centre, misp or partner",
                                 "kind");
  }
  audit(s, "ids.skip_ahead", kind, {{"by", by}}, now_us);
}

}  // namespace registrar::ids
