// `registrar dci senders add|list|disable|fetch-key`: the client's trusted IBR senders from the
// command line (dci/sender_admin.h over dci_client_senders).
#pragma once

namespace CLI {
class App;
}
namespace registrar::app {
class ServiceProvider;
}

namespace registrar::dci_client {

void add_senders_commands(CLI::App& root, app::ServiceProvider& provider);

}  // namespace registrar::dci_client
