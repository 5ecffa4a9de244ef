#include "intercoop/continuation_page.h"

#include "core/text.h"
#include "intercoop/yaml_emit.h"

namespace registrar::intercoop {
namespace {

std::string page(const std::string& title, const std::string& body) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" +
         core::html_escape(title) + "</title></head>\n<body>\n<h1>" + core::html_escape(title) +
         "</h1>\n" + body + "</body></html>\n";
}

std::string value_html(const yaml::Value& v) {
  if (v.is_null()) return "---";
  if (v.is_string()) return core::html_escape(v.get<std::string>());
  if (v.is_array()) {
    std::string out = "<ul>";
    for (const auto& item : v) out += "<li>" + value_html(item) + "</li>";
    return out + "</ul>";
  }
  if (v.is_object()) return "<pre>" + core::html_escape(yaml::dump(v)) + "</pre>";
  return core::html_escape(v.dump());  // numbers and booleans
}

}  // namespace

std::string transfer_page(const Transfer& t) {
  std::string body = "<p>These data arrived from <b>" + core::html_escape(t.peer) +
                     "</b> for the service <b>" + core::html_escape(t.service) +
                     "</b>:</p>\n<dl>\n";
  for (const auto& [key, value] : t.data.items())
    body += "<dt class=\"fieldheader\">" + core::html_escape(key) +
            "</dt><dd class=\"fieldvalue\">" + value_html(value) + "</dd>\n";
  body += "</dl>\n<p>This link works once; the data are deleted when it expires.</p>\n";
  return page("Data received", body);
}

std::string not_found_page() {
  return page("Link not valid",
              "<p>This link is unknown or has expired. Please start again from your "
              "organisation's portal.</p>\n");
}

std::string used_page() {
  return page("Link already used",
              "<p>This link has already been used: it works only once. Please start again "
              "from your organisation's portal.</p>\n");
}

}  // namespace registrar::intercoop
