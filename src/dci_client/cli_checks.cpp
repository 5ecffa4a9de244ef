#include "dci_client/cli_checks.h"

#include "dci_client/cli_sources.h"

#include <unistd.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <iostream>

#include "core/cli_support.h"
#include "core/error.h"
#include "core/progress.h"
#include "dci_client/batch.h"
#include "dci_client/check_service.h"
#include "dci_client/checks_config.h"

namespace registrar::dci_client {
namespace {

Actor cli_actor() {
  return {core::cli_actor(), ""};
}

void print_check(const Check& c) {
  std::cout << c.id << "  " << state_name(c.state) << "  "
            << (c.result ? std::string(result_name(*c.result)) : "-") << "  source=" << c.source
            << "  reference=" << (c.registrant.reference.empty() ? "-" : c.registrant.reference);
  if (!c.matched_programmes.empty()) {
    std::cout << "  programmes=";
    for (size_t i = 0; i < c.matched_programmes.size(); ++i)
      std::cout << (i ? ";" : "") << c.matched_programmes[i];
  }
  if (!c.correlation_id.empty()) std::cout << "  correlation=" << c.correlation_id;
  if (!c.error.empty()) std::cout << "  error=\"" << c.error << "\"";
  std::cout << "\n";
}

// The service over the CLI's services, with a SourceClient when this binary has one.
struct CliChecks {
  std::unique_ptr<SourceClient> client;
  std::unique_ptr<CheckService> service;
};

CliChecks open_checks(app::Services& s, const SourceClientFactory& make_client, bool need_client) {
  CliChecks out;
  if (make_client) out.client = make_client(s);
  if (need_client && !out.client)
    throw core::Error(core::ErrorKind::kUnavailable,
                      "this binary has no data-source client: checks can be created but not sent "
                      "from the CLI");
  out.service = std::make_unique<CheckService>(s.db, s.clock, s.background, out.client.get(),
                                               read_checks_config(s.config),
                                               out.client ? out.client->answer_trust() : nullptr);
  return out;
}

struct ListArgs {
  std::string state, source;
  int limit = 50;
};

struct RunArgs {
  std::vector<std::string> ids;
  bool async = false;
};

struct BatchArgs {
  std::string source, file, out;
  bool async = false;
  bool retry_failed = false;
  int wait_s = 900;
};

void add_list(CLI::App& checks, app::ServiceProvider& provider) {
  auto args = std::make_shared<ListArgs>();
  auto* list = checks.add_subcommand("list", "List duplication checks, newest first.");
  list->add_option("--state", args->state, "ready, checking, completed or failed")
      ->check(CLI::IsMember({"ready", "checking", "completed", "failed"}));
  list->add_option("--source", args->source, "Only this data source's checks");
  list->add_option("--limit", args->limit, "At most this many (1-1000)")
      ->check(CLI::Range(1, 1000));
  list->callback([&provider, args] {
    provider.set_action([&provider, args] {
      app::Services& s = provider.services();
      CheckService service(s.db, s.clock, s.background, nullptr, read_checks_config(s.config));
      CheckFilter f;
      if (!args->state.empty()) f.state = parse_state(args->state);
      f.source = args->source;
      f.limit = args->limit;
      for (const auto& c : service.list(f)) print_check(c);
      return 0;
    });
  });
}

void add_run_retry(CLI::App& checks, app::ServiceProvider& provider,
                   const SourceClientFactory& make_client) {
  auto args = std::make_shared<RunArgs>();
  auto* run = checks.add_subcommand("run", "Send ready checks and wait for the sync answers.");
  run->add_option("ids", args->ids, "Check ids")->required();
  run->add_flag("--async", args->async, "Ask by /registry/search; the answer comes by callback");
  run->callback([&provider, args, make_client] {
    provider.set_action([&provider, args, make_client] {
      // identity: the key the requests are signed with.
      app::Services& s = provider.started({"identity"});
      CliChecks c = open_checks(s, make_client, true);
      std::promise<void> all;
      RunObserver observer;
      observer.on_all = [&all] { all.set_value(); };
      auto entries = c.service->run(args->ids, args->async ? RunMode::kAsync : RunMode::kSync,
                                    cli_actor(), observer);
      all.get_future().wait();
      int code = 0;
      for (const auto& e : entries) {
        if (!e.sent) {
          std::cout << e.id << "  not sent: " << e.note << "\n";
          code = 1;
          continue;
        }
        if (auto check = c.service->find(e.id)) print_check(*check);
      }
      c.service->stop();
      return code;
    });
  });

  auto retry_ids = std::make_shared<std::vector<std::string>>();
  auto* retry = checks.add_subcommand("retry", "Reset checks to ready (run them again after).");
  retry->add_option("ids", *retry_ids, "Check ids")->required();
  retry->callback([&provider, retry_ids] {
    provider.set_action([&provider, retry_ids] {
      app::Services& s = provider.services();
      CheckService service(s.db, s.clock, s.background, nullptr, read_checks_config(s.config));
      for (const auto& id : *retry_ids) print_check(service.retry(id, cli_actor()));
      return 0;
    });
  });
}

int run_batch_command(app::Services& s, const BatchArgs& args,
                      const SourceClientFactory& make_client) {
  BatchFile file = read_batch_file(args.file);
  CliChecks c = open_checks(s, make_client, true);
  BatchOptions options;
  options.source = args.source;
  options.mode = args.async ? RunMode::kAsync : RunMode::kSync;
  options.async_wait = std::chrono::seconds(args.wait_s);
  options.retry_failed = args.retry_failed;
  const bool tty = isatty(STDERR_FILENO) != 0;
  if (tty) options.progress = core::draw_progress;
  BatchSummary sum;
  auto checks = run_batch(*c.service, file, options, cli_actor(), sum);
  if (tty) std::fprintf(stderr, "\n");
  std::string out_path = args.out;
  if (out_path.empty())
    out_path = args.file + (args.file.ends_with(".csv") ? ".result.csv" : ".result.jsonl");
  bool csv = out_path.ends_with(".csv");
  std::ofstream out(out_path, std::ios::trunc);
  if (!out) throw core::invalid_argument("cannot write " + out_path, "out");
  if (csv) out << result_header_csv() << "\n";
  for (size_t i = 0; i < file.lines.size(); ++i)
    out << result_line(file.lines[i], checks[i] ? &*checks[i] : nullptr, csv) << "\n";
  out.close();
  c.service->stop();
  std::cout << "lines=" << sum.lines << " invalid=" << sum.invalid
            << " already_done=" << sum.already_done << " sent=" << sum.sent
            << " no_match=" << sum.no_match << " possible_match=" << sum.possible
            << " confirmed_match=" << sum.confirmed << " failed=" << sum.failed
            << " pending=" << sum.pending << " results=" << out_path << "\n";
  return sum.pending > 0 ? 2 : 0;
}

void add_batch(CLI::App& dci, app::ServiceProvider& provider,
               const SourceClientFactory& make_client) {
  auto args = std::make_shared<BatchArgs>();
  auto* check = dci.add_subcommand(
      "check",
      "Check every registrant of a CSV or JSONL file against a data source; writes one result "
      "line per registrant. Run it again to resume an interrupted batch.");
  check->add_option("--source", args->source, "Data source code")->required();
  check->add_option("file", args->file, "Registrants: FILE.csv or FILE.jsonl")->required();
  check->add_option("--out", args->out,
                    "Result file (.csv or .jsonl; default FILE.result.csv|jsonl)");
  check->add_flag("--async", args->async,
                  "Ask by /registry/search; the server receiving the callbacks writes the answers");
  check->add_flag("--retry-failed", args->retry_failed,
                  "Send again the checks of this file that failed (the registry was down, say); "
                  "completed ones are kept");
  check->add_option("--wait", args->wait_s, "Seconds to wait for async answers")
      ->check(CLI::Range(0, 86'400));
  check->callback([&provider, args, make_client] {
    provider.set_action([&provider, args, make_client] {
      return run_batch_command(provider.started({"identity"}), *args, make_client);
    });
  });
}

}  // namespace

void add_checks_commands(CLI::App& root, app::ServiceProvider& provider,
                         SourceClientFactory make_client) {
  CLI::App& dci = dci_command(root);
  auto* checks = dci.add_subcommand("checks", "Duplication checks.");
  checks->require_subcommand(1);
  add_list(*checks, provider);
  add_run_retry(*checks, provider, make_client);
  add_batch(dci, provider, make_client);
}

}  // namespace registrar::dci_client
