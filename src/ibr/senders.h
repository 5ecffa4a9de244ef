// The ibr module's trusted senders: the systems allowed to call our DCI routes (dci-ibr.md §6.3),
// kept in ibr_senders by the shared store of src/dci (trusted_senders.h), audited as
// ibr.sender.*.
#pragma once

#include "dci/trusted_senders.h"

namespace registrar::ibr {

using dci::sender_to_json;
using dci::SenderInput;
using dci::validate_sender;

// Where the ibr module keeps its senders, and the names its audit entries and logs use.
inline dci::SenderTable ibr_sender_table() {
  return {"ibr_senders", "ibr.sender", "ibr"};
}

class Senders final : public dci::TrustedSenders {
 public:
  Senders(store::Database& db, const core::Clock& clock)
      : dci::TrustedSenders(db, clock, ibr_sender_table()) {}
};

}  // namespace registrar::ibr
