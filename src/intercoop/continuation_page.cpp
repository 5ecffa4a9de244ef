#include "intercoop/continuation_page.h"

#include <array>
#include <cctype>

#include "core/text.h"
#include "intercoop/yaml_emit.h"

namespace registrar::intercoop {
namespace {

// The page's sentences in one language; {peer} and {service} are set escaped, in bold.
struct Words {
  std::string_view lang, received_title, arrived, once, not_found_title, not_found, used_title,
      used;
};

constexpr std::array<Words, 3> kWords{{
    {"en", "Data received", "These data arrived from {peer} for the service {service}:",
     "This link works once; the data are deleted when it expires.", "Link not valid",
     "This link is unknown or has expired. Please start again from your organisation's portal.",
     "Link already used",
     "This link has already been used: it works only once. Please start again from your "
     "organisation's portal."},
    {"es", "Datos recibidos", "Estos datos han llegado de {peer} para el servicio {service}:",
     "Este enlace solo funciona una vez; los datos se borran cuando caduca.", "Enlace no válido",
     "Este enlace no existe o ha caducado. Vuelva a empezar desde el portal de su entidad.",
     "Enlace ya utilizado",
     "Este enlace ya se ha utilizado: solo funciona una vez. Vuelva a empezar desde el portal de "
     "su entidad."},
    {"ca", "Dades rebudes", "Aquestes dades han arribat de {peer} per al servei {service}:",
     "Aquest enllaç només funciona una vegada; les dades s’esborren quan caduca.",
     "Enllaç no vàlid",
     "Aquest enllaç no existeix o ha caducat. Torneu a començar des del portal de la vostra "
     "entitat.",
     "Enllaç ja utilitzat",
     "Aquest enllaç ja s’ha utilitzat: només funciona una vegada. Torneu a començar des del "
     "portal de la vostra entitat."},
}};

const Words* words_of(std::string_view lang) {
  for (const auto& w : kWords)
    if (w.lang == lang) return &w;
  return nullptr;
}

const Words& words(std::string_view lang) {
  const Words* w = words_of(lang);
  return w ? *w : kWords[0];
}

std::string page(std::string_view lang, std::string_view title, const std::string& body) {
  std::string t = core::html_escape(std::string(title));
  return "<!DOCTYPE html>\n<html lang=\"" + std::string(words(lang).lang) +
         "\"><head><meta charset=\"utf-8\"><title>" + t + "</title></head>\n<body>\n<h1>" + t +
         "</h1>\n" + body + "</body></html>\n";
}

std::string paragraph(std::string_view text) {
  return "<p>" + core::html_escape(std::string(text)) + "</p>\n";
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

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// An Accept-Language entry's weight ("q=0.8"); 1 without one, 0 when unreadable.
double weight_of(std::string_view params) {
  size_t q = params.find("q=");
  if (q == std::string_view::npos) return 1.0;
  std::string_view v = trim(params.substr(q + 2));
  double out = 0, scale = 1;
  bool point = false;
  for (char c : v) {
    if (c == '.' && !point) {
      point = true;
    } else if (c >= '0' && c <= '9') {
      if (point) {
        scale /= 10;
        out += (c - '0') * scale;
      } else {
        out = out * 10 + (c - '0');
      }
    } else {
      return 0;
    }
  }
  return out > 1 ? 0 : out;
}

}  // namespace

std::string page_language(const yaml::Value* data, std::string_view accept_language) {
  if (data && data->is_object()) {
    auto it = data->find("lang");
    if (it != data->end() && it->is_string()) {
      std::string lang = lower(it->get<std::string>());
      if (words_of(lang)) return lang;
    }
  }
  // "ca-ES,ca;q=0.9,es;q=0.8,en;q=0.5": the heaviest of ours; the first of equal weight.
  std::string best = "en";
  double best_weight = 0;
  while (!accept_language.empty()) {
    size_t comma = accept_language.find(',');
    std::string_view entry = accept_language.substr(0, comma);
    accept_language = comma == std::string_view::npos ? "" : accept_language.substr(comma + 1);
    size_t semi = entry.find(';');
    std::string tag = lower(trim(entry.substr(0, semi)));
    std::string primary = tag.substr(0, tag.find('-'));
    double w = semi == std::string_view::npos ? 1.0 : weight_of(entry.substr(semi + 1));
    if (words_of(primary) && w > best_weight) {
      best = primary;
      best_weight = w;
    }
  }
  return best;
}

std::string transfer_page(const Transfer& t, std::string_view lang) {
  const Words& w = words(lang);
  std::string arrived = core::html_escape(std::string(w.arrived));
  auto put = [&](std::string_view mark, const std::string& value) {
    size_t at = arrived.find(mark);
    if (at != std::string::npos)
      arrived.replace(at, mark.size(), "<b>" + core::html_escape(value) + "</b>");
  };
  put("{peer}", t.peer);
  put("{service}", t.service);
  std::string body = "<p>" + arrived + "</p>\n<dl>\n";
  for (const auto& [key, value] : t.data.items())
    body += "<dt class=\"fieldheader\">" + core::html_escape(key) +
            "</dt><dd class=\"fieldvalue\">" + value_html(value) + "</dd>\n";
  body += "</dl>\n" + paragraph(w.once);
  return page(lang, w.received_title, body);
}

std::string not_found_page(std::string_view lang) {
  const Words& w = words(lang);
  return page(lang, w.not_found_title, paragraph(w.not_found));
}

std::string used_page(std::string_view lang) {
  const Words& w = words(lang);
  return page(lang, w.used_title, paragraph(w.used));
}

}  // namespace registrar::intercoop
