#include "intercoop/source_side.h"

#include "core/error.h"
#include "core/log.h"
#include "core/random.h"
#include "intercoop/hardened.h"
#include "intercoop/package.h"
#include "intercoop/source_store.h"
#include "intercoop/target_store.h"
#include "store/audit.h"

namespace registrar::intercoop {
namespace {

constexpr const char* kKeyContext = "intercoop.own_key";
constexpr const char* kHardenedKeyContext = "intercoop.own_key.2.0";

void audit(soci::session& s, const std::string& actor, const std::string& action,
           const std::string& subject, const std::string& request_id, nlohmann::json detail,
           core::SystemTime now) {
  store::append_audit(s, {actor, action, subject, request_id, std::move(detail)}, now);
}

std::vector<std::string> names_of(const yaml::Value& fields) {
  std::vector<std::string> out;
  for (const auto& [name, value] : fields.items()) out.push_back(name);
  return out;
}

}  // namespace

SourceSettings source_settings(const core::Config& config) {
  SourceSettings s;
  s.peer_id = config.str("intercoop.peer_id");
  s.name = config.str("intercoop.name");
  if (s.name.empty()) s.name = s.peer_id;
  std::string base = config.str("intercoop.public_url");
  while (!base.empty() && base.back() == '/') base.pop_back();
  // A 1.0 source POSTs to targetUrl + "/activateService": our default service's route.
  if (!base.empty()) s.target_url = base + "/intercoop";
  s.timeout = std::chrono::milliseconds(config.integer("intercoop.send_timeout_ms"));
  return s;
}

SourceSide::SourceSide(store::Database& db, const core::Clock& clock,
                       const services::Sealing* sealing, http::HttpClient* client,
                       SourceSettings settings)
    : db_(db), clock_(clock), sealing_(sealing), client_(client), settings_(std::move(settings)) {}

crypto::PrivateKey SourceSide::own_key() {
  return stored_key(1);
}

crypto::PrivateKey SourceSide::own_hardened_key() {
  return stored_key(2);
}

// Row 1 of intercoop_own_key is the 1.0 RSA key, row 2 the 2.0 Ed25519 key.
crypto::PrivateKey SourceSide::stored_key(int id) {
  core::MutexLock lock(key_mutex_);
  std::optional<crypto::PrivateKey>& key = id == 1 ? key_ : hardened_key_;
  if (key) return *key;
  const std::string context = id == 1 ? kKeyContext : kHardenedKeyContext;
  if (!sealing_)
    throw core::Error(core::ErrorKind::kUnavailable,
                      "our intercoop key is sealed with identity's master key, not available here");
  auto row = db_.read([id](soci::session& s) { return db::find_own_key(s, id); });
  if (!row) {
    // First use: generate and store it; of several processes starting together one wins and
    // the others read the winner's key.
    auto fresh = id == 1 ? crypto::PrivateKey::generate(crypto::KeyType::kRsa, 2048)
                         : crypto::PrivateKey::generate(crypto::KeyType::kEd25519);
    OwnKeyRow candidate{fresh.public_key().to_pem(), sealing_->seal(fresh.to_pem(), context)};
    nlohmann::json detail = id == 1
                                ? nlohmann::json{{"bits", 2048}, {"alg", "RSA PKCS#1 v1.5 SHA-1"}}
                                : nlohmann::json{{"alg", "Ed25519"}, {"version", "2.0"}};
    try {
      db_.write([&](soci::session& s) {
        core::SystemTime now = clock_.now();
        db::insert_own_key(s, candidate, now, id);
        audit(s, "system", "intercoop.key.create", settings_.peer_id, "", detail, now);
      });
    } catch (const core::Error& e) {
      if (e.kind() != core::ErrorKind::kConflict) throw;
    }
    row = db_.read([id](soci::session& s) { return db::find_own_key(s, id); });
  }
  auto pem = sealing_->open(row->sealed_private, context);
  if (!pem)
    throw core::Error(core::ErrorKind::kInternal,
                      "our intercoop key was not sealed by this installation's master key");
  key = crypto::PrivateKey::from_pem(*pem);
  return *key;
}

bool SourceSide::put_member(const Member& m, const std::string& actor,
                            const std::string& request_id) {
  check_member(m);
  return db_.write([&](soci::session& s) {
    core::SystemTime now = clock_.now();
    bool is_new = db::upsert_member(s, m, now);
    // The field names only: the audit log holds no personal data.
    audit(s, actor, is_new ? "intercoop.member.add" : "intercoop.member.update", m.id, request_id,
          {{"fields", names_of(m.fields)}, {"lang", m.lang}}, now);
    return is_new;
  });
}

size_t SourceSide::import_members(const std::vector<Member>& members, const std::string& actor,
                                  const std::string& request_id) {
  for (const auto& m : members) check_member(m);
  return db_.write([&](soci::session& s) {
    core::SystemTime now = clock_.now();
    size_t added = 0;
    for (const auto& m : members) {
      bool is_new = db::upsert_member(s, m, now);
      added += is_new ? 1 : 0;
      audit(s, actor, is_new ? "intercoop.member.import" : "intercoop.member.update", m.id,
            request_id, {{"fields", names_of(m.fields)}, {"lang", m.lang}}, now);
    }
    return added;
  });
}

std::optional<Member> SourceSide::member(const std::string& id) {
  return db_.read([&](soci::session& s) { return db::find_member(s, id); });
}

std::vector<Member> SourceSide::members() {
  return db_.read([](soci::session& s) { return db::all_members(s); });
}

void SourceSide::delete_member(const std::string& id, const std::string& actor,
                               const std::string& request_id) {
  db_.write([&](soci::session& s) {
    core::SystemTime now = clock_.now();
    if (!db::delete_member(s, id)) throw core::not_found("no member " + id);
    audit(s, actor, "intercoop.member.delete", id, request_id, nlohmann::json::object(), now);
  });
}

void SourceSide::add_remote_service(const RemoteService& rs, const std::string& actor,
                                    const std::string& request_id) {
  if (!valid_service_name(rs.name))
    throw core::invalid_argument("service name: lowercase letters, digits and '_'", "service");
  if (rs.fields.empty()) throw core::invalid_argument("at least one --field", "fields");
  for (const auto& f : rs.fields)
    if (!valid_field_name(f))
      throw core::invalid_argument("field '" + f + "': letters, digits and '_'", "fields");
  db_.write([&](soci::session& s) {
    core::SystemTime now = clock_.now();
    if (!db::find_peer(s, rs.peer)) throw core::not_found("no peer " + rs.peer);
    db::upsert_remote_service(s, rs, now);
    audit(s, actor, "intercoop.remote_service.add", rs.peer + "/" + rs.name, request_id,
          {{"fields", rs.fields}}, now);
  });
}

std::vector<RemoteService> SourceSide::remote_services() {
  return db_.read([](soci::session& s) { return db::remote_services(s); });
}

namespace {

std::string translated_text(const yaml::Value& value, const std::string& lang) {
  yaml::Value v = translate(value, lang);
  return v.is_string() ? v.get<std::string>() : "";
}

}  // namespace

Catalogue SourceSide::catalogue(const std::string& member_id, const std::string& lang_wanted) {
  struct Found {
    Member member;
    std::vector<Peer> peers;
    std::vector<RemoteService> services;
  };
  Found f = db_.read([&](soci::session& s) {
    auto m = db::find_member(s, member_id);
    if (!m) throw core::not_found("no member " + member_id);
    return Found{*m, db::all_peers(s), db::remote_services(s)};
  });
  Catalogue out;
  out.member_lang = f.member.lang;
  if (settings_.peer_id.empty()) return out;
  const std::string& lang = lang_wanted.empty() ? f.member.lang : lang_wanted;
  for (const Peer& p : f.peers) {
    auto version = choose_version(p.versions);
    if (!p.active || p.target_url.empty() || !version) continue;
    CatalogueEntry e;
    e.peer = p.id;
    e.peer_name = p.name;
    e.description = translate(p.description, lang);
    e.url = translate(p.url, lang);
    e.logo = p.logo;
    if (p.descriptor.is_object() && p.descriptor.contains("privacyPolicyUrl"))
      e.privacy_policy_url = translated_text(p.descriptor["privacyPolicyUrl"], lang);
    e.version = *version;
    for (const RemoteService& rs : f.services) {
      if (rs.peer != p.id) continue;
      RemoteService shown = rs;
      shown.title = translate(rs.title, lang);
      shown.description = translate(rs.description, lang);
      e.services.push_back(std::move(shown));
    }
    if (!e.services.empty()) out.peers.push_back(std::move(e));
  }
  return out;
}

Preview SourceSide::preview(const std::string& member_id, const std::string& peer_id,
                            const std::string& service_name, const std::string& lang_wanted) {
  if (settings_.peer_id.empty())
    throw core::conflict("intercoop.peer_id is not set: we have no identity to send under");
  struct Found {
    Member member;
    Peer peer;
    RemoteService service;
  };
  Found f = db_.read([&](soci::session& s) {
    auto m = db::find_member(s, member_id);
    if (!m) throw core::not_found("no member " + member_id);
    auto p = db::find_peer(s, peer_id);
    if (!p) throw core::not_found("no peer " + peer_id);
    auto sv = db::find_remote_service(s, peer_id, service_name);
    if (!sv) throw core::not_found("peer " + peer_id + " offers no service " + service_name);
    return Found{*m, *p, *sv};
  });
  if (!f.peer.active) throw core::conflict("peer " + peer_id + " is disabled", "peer");
  if (f.peer.target_url.empty())
    throw core::conflict("peer " + peer_id + " has no targetUrl to send to", "peer");
  auto version = choose_version(f.peer.versions);
  if (!version)
    throw core::conflict("peer " + peer_id + " declared no protocol version we speak", "peer");
  Preview v;
  v.member = member_id;
  v.peer = peer_id;
  v.service = service_name;
  v.peer_name = f.peer.name;
  const std::string& lang = lang_wanted.empty() ? f.member.lang : lang_wanted;
  v.lang = lang;
  if (f.peer.descriptor.is_object() && f.peer.descriptor.contains("privacyPolicyUrl")) {
    yaml::Value url = translate(f.peer.descriptor["privacyPolicyUrl"], lang);
    if (url.is_string()) v.privacy_policy_url = url.get<std::string>();
  }
  v.title = translate(f.service.title, lang);
  v.description = translate(f.service.description, lang);
  v.fields = build_payload(settings_.peer_id, f.member, f.service);
  v.url = activate_url(f.peer.target_url);
  v.version = *version;
  return v;
}

SendResult SourceSide::send(const std::string& member_id, const std::string& peer_id,
                            const std::string& service_name, const std::string& actor,
                            const std::string& request_id, const std::string& lang,
                            const std::string& fallback_lang) {
  Preview v = preview(member_id, peer_id, service_name, lang);
  Consent c;
  c.id = core::uuid_v4();
  c.member = member_id;
  c.peer = peer_id;
  c.service = service_name;
  c.fields = v.fields;
  c.url = v.url;
  c.version = v.version;
  std::string package = c.version == kHardenedVersion
                            ? hardened_package(peer_id, service_name, c.fields)
                            : make_package(c.fields, own_key());

  // The consent is on record (committed) before a byte leaves: whatever happens to the request,
  // the member's log shows what was sent and where.
  db_.write([&](soci::session& s) {
    c.sent = clock_.now();
    db::insert_consent(s, c);
    audit(s, actor, "intercoop.transfer.send", member_id, request_id,
          {{"consent", c.id},
           {"peer", peer_id},
           {"service", service_name},
           {"fields", names_of(c.fields)},
           {"url", c.url},
           {"version", c.version}},
          c.sent);
  });

  TargetAnswer answer;
  if (!client_) {
    answer = no_answer("no HTTP client");
  } else {
    http::ClientRequest req;
    req.method = http::Method::kPost;
    req.url = c.url;
    req.body = std::move(package);
    // The original's PHP client names it; Flask would swallow a form content type (§1.1).
    req.headers.set("Content-Type", "application/yaml");
    req.timeout = settings_.timeout;
    try {
      http::Response r = client_->send_and_wait(std::move(req));
      std::string ct(r.headers.get("Content-Type").value_or(""));
      answer = read_target_answer(r.status, ct, r.body);
    } catch (const core::Error& e) {
      answer = no_answer(e.what());
    }
  }

  c.outcome = outcome_of(answer);
  c.answer = answer_json(answer);
  db_.write([&](soci::session& s) {
    core::SystemTime now = clock_.now();
    db::record_answer(s, c.id, c.outcome, c.answer, now);
    c.answered = now;
    nlohmann::json detail = {{"consent", c.id}, {"outcome", c.outcome}, {"status", answer.status}};
    if (!answer.accepted) detail["error"] = answer.error;
    audit(s, actor, "intercoop.transfer.answer", member_id, request_id, detail, now);
  });
  if (!answer.accepted)
    log::warn("intercoop_transfer_refused",
              {{"consent", c.id}, {"peer", peer_id}, {"error", answer.error}});
  return {c, answer,
          answer.accepted
              ? ""
              : member_words(answer, v.peer_name, v.lang.empty() ? fallback_lang : v.lang)};
}

// A 2.0 package for `peer`'s `service`, valid for kPackageLifetimeS from now, once.
std::string SourceSide::hardened_package(const std::string& peer, const std::string& service,
                                         const yaml::Value& payload) {
  Envelope e;
  e.origin_peer = settings_.peer_id;
  e.target_peer = peer;
  e.service = service;
  e.issued = core::to_unix_us(clock_.now()) / 1'000'000;
  e.expires = e.issued + kPackageLifetimeS;
  e.nonce = new_nonce();
  yaml::Value fields = yaml::Value::object();
  for (const auto& [name, value] : payload.items())
    if (name != "originpeer") fields[name] = value;  // the envelope carries it
  return make_hardened_package(e, fields, own_hardened_key());
}

int64_t SourceSide::reconcile() {
  // A send waits at most settings_.timeout for its answer; a row pending well past that was
  // left by a process that stopped before recording it.
  const core::SystemTime now = clock_.now();
  const core::SystemTime before = now - settings_.timeout - std::chrono::minutes(1);
  return db_.write([&](soci::session& s) {
    auto stale = db::stale_pending(s, before);
    for (const auto& [id, member] : stale) {
      yaml::Value answer =
          answer_json(no_answer("the sender stopped before the target's answer was recorded"));
      db::record_answer(s, id, "unanswered", answer, now);
      audit(s, "system", "intercoop.transfer.unanswered", member, "",
            {{"consent", id}, {"outcome", "unanswered"}}, now);
    }
    return int64_t(stale.size());
  });
}

std::vector<Consent> SourceSide::consents(const std::string& member) {
  return db_.read([&](soci::session& s) { return db::consents_of(s, member); });
}

namespace {

// member_words' sentences in one language; {peer}, {field} and {message} are filled in.
struct RefusalWords {
  std::string_view lang, missing_field, missing_data, bad_peer, bad_signature, wrong_version,
      expired, not_available_here, not_available_role, limit_reached, backend, other;
};

constexpr RefusalWords kRefusalWords[] = {
    {"en",
     "{peer} needs your '{field}', which this service did not send. Nothing was activated; "
     "please tell us.",
     "{peer} needs your data, which this service did not send. Nothing was activated; please "
     "tell us.",
     "{peer} does not recognise our organisation yet. Nothing was activated.",
     "{peer} could not confirm that the data came from us. Nothing was activated.",
     "{peer} and we do not agree on the protocol version to use. Nothing was activated; please "
     "tell us.",
     "{peer} found our request out of date (our clocks may disagree). Nothing was activated; "
     "please try again later.",
     "{peer} does not offer this service to you where you live. Nothing was activated.",
     "{peer} does not offer this service to you as a member of our organisation. Nothing was "
     "activated.",
     "{peer} has received as many requests for this service as it accepts for now. Nothing was "
     "activated; please try again later.",
     "We could not get an answer from {peer} that we understand, so we do not know whether it "
     "received your data. Please ask {peer} before trying again.",
     "{peer} refused the data ({message}). Nothing was activated."},
    {"es",
     "{peer} necesita el dato '{field}', que este servicio no ha enviado. No se ha activado "
     "nada; avísenos, por favor.",
     "{peer} necesita datos que este servicio no ha enviado. No se ha activado nada; avísenos, "
     "por favor.",
     "{peer} todavía no reconoce a nuestra entidad. No se ha activado nada.",
     "{peer} no ha podido confirmar que los datos venían de nosotros. No se ha activado nada.",
     "{peer} y nosotros no coincidimos en la versión del protocolo. No se ha activado nada; "
     "avísenos, por favor.",
     "{peer} ha considerado caducada nuestra solicitud (puede que nuestros relojes no "
     "coincidan). No se ha activado nada; vuelva a intentarlo más tarde.",
     "{peer} no ofrece este servicio donde usted vive. No se ha activado nada.",
     "{peer} no ofrece este servicio a las personas socias de nuestra entidad. No se ha "
     "activado nada.",
     "{peer} ya ha recibido todas las solicitudes de este servicio que acepta por ahora. No se "
     "ha activado nada; vuelva a intentarlo más tarde.",
     "No hemos podido obtener de {peer} una respuesta que entendamos, así que no sabemos si ha "
     "recibido sus datos. Pregunte a {peer} antes de volver a intentarlo.",
     "{peer} ha rechazado los datos ({message}). No se ha activado nada."},
    {"ca",
     "{peer} necessita la dada '{field}', que aquest servei no ha enviat. No s’ha activat "
     "res; aviseu-nos, si us plau.",
     "{peer} necessita dades que aquest servei no ha enviat. No s’ha activat res; aviseu-nos, si "
     "us plau.",
     "{peer} encara no reconeix la nostra entitat. No s’ha activat res.",
     "{peer} no ha pogut confirmar que les dades venien de nosaltres. No s’ha activat res.",
     "{peer} i nosaltres no coincidim en la versió del protocol. No s’ha activat res; "
     "aviseu-nos, si us plau.",
     "{peer} ha considerat caducada la nostra sol·licitud (potser els nostres rellotges no "
     "coincideixen). No s’ha activat res; torneu-ho a provar més tard.",
     "{peer} no ofereix aquest servei on viviu. No s’ha activat res.",
     "{peer} no ofereix aquest servei a les persones sòcies de la nostra entitat. No s’ha "
     "activat res.",
     "{peer} ja ha rebut totes les sol·licituds d’aquest servei que accepta de moment. No s’ha "
     "activat res; torneu-ho a provar més tard.",
     "No hem pogut obtenir de {peer} una resposta que entenguem, així que no sabem si ha rebut "
     "les vostres dades. Pregunteu a {peer} abans de tornar-ho a provar.",
     "{peer} ha rebutjat les dades ({message}). No s’ha activat res."},
};

std::string fill(std::string_view text, const std::string& peer, const std::string& field,
                 const std::string& message) {
  std::string out;
  while (!text.empty()) {
    size_t open = text.find('{');
    size_t close = open == std::string_view::npos ? open : text.find('}', open);
    if (close == std::string_view::npos) break;
    out.append(text.substr(0, open));
    std::string_view name = text.substr(open + 1, close - open - 1);
    out += name == "peer" ? peer : name == "field" ? field : message;
    text.remove_prefix(close + 1);
  }
  return out.append(text);
}

}  // namespace

std::string member_words(const TargetAnswer& a, const std::string& peer, std::string_view lang) {
  const RefusalWords* w = &kRefusalWords[0];
  for (const auto& candidate : kRefusalWords)
    if (candidate.lang == lang) w = &candidate;
  std::string field = a.arguments.empty() ? "" : a.arguments[0];
  std::string_view text =
      a.error == "MissingField"     ? (field.empty() ? w->missing_data : w->missing_field)
      : a.error == "BadPeer"        ? w->bad_peer
      : a.error == "BadSignature"   ? w->bad_signature
      : a.error == "WrongVersion"   ? w->wrong_version
      : a.error == "ExpiredMessage" ? w->expired
      : a.error == "NotAvailable"
          ? (a.arguments.size() >= 2 && a.arguments[1] == "peerroles" ? w->not_available_role
                                                                      : w->not_available_here)
      : a.error == "LimitReached" ? w->limit_reached
      : a.error == "BackendError" ? w->backend
                                  : w->other;
  return fill(text, peer, field, a.message);
}

}  // namespace registrar::intercoop
