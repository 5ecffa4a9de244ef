// The continuation page's HTML (the member lands here after the portal's redirect): the data
// that arrived, each value escaped, lists as lists and null as "---" (as the original's pages),
// and the pages that refuse a link (unknown or expired, already used). Each in the member's
// language: the transfer's own `lang` field when the service asked for it, else the browser's
// Accept-Language; Spanish, Catalan or English. Pure text building; target_api.cpp serves it.
#pragma once

#include <string>
#include <string_view>

#include "intercoop/target_store.h"

namespace registrar::intercoop {

// "es", "ca" or "en": `data`'s `lang` when it is one of them (nullptr: no transfer), else the
// Accept-Language entry of the highest weight that is one of them, else "en".
std::string page_language(const yaml::Value* data, std::string_view accept_language);

std::string transfer_page(const Transfer& transfer, std::string_view lang = "en");
std::string not_found_page(std::string_view lang = "en");  // unknown or expired token
std::string used_page(std::string_view lang = "en");       // the token was already used

}  // namespace registrar::intercoop
