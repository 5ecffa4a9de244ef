// The continuation page's HTML (the member lands here after the portal's redirect): the data
// that arrived, each value escaped, lists as lists and null as "---" (as the original's pages).
// Pure text building; target_api.cpp serves it.
#pragma once

#include <string>

#include "intercoop/target_store.h"

namespace registrar::intercoop {

std::string transfer_page(const Transfer& transfer);
std::string not_found_page();  // unknown or expired token
std::string used_page();       // the token was already used

}  // namespace registrar::intercoop
