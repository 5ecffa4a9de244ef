// ibr_http_requests: the load of the "searches/s over HTTP" part of bench/ibr/run.sh, as a
// trusted sender would send it: signed DCI envelopes for POST /registry/sync/search, one per line
// (bench/ibr/search.lua replays them with wrk), with queries drawn from the same seeded
// population as ibr_compare (workload.h), so that they hit the records `registrar ibr seed`
// stores when it uses the same generator and seed.
//
//   ibr_http_requests keygen KEY.pem                  new Ed25519 sender key; prints its public
//                                                     key (PEM) for `registrar ibr senders add`
//   ibr_http_requests sign KEY.pem SENDER KIND COUNT  COUNT envelopes; KIND idtype-value (an
//                                                     identifier of a random record) or
//                                                     expression (a random record's person)
//
// Every envelope has its own message_id and a signature valid for IBR_BENCH_SIGNATURE_LIFETIME
// seconds (default 3600), long enough for a run to replay the set.
#include <chrono>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iterator>
#include <string>

#include "core/clock.h"
#include "core/random.h"
#include "crypto/keys.h"
#include "dci/envelope.h"
#include "dci/signature.h"
#include "workload.h"

namespace registrar::bench::ibr {
namespace {

using dci::Json;

Json idtype_value_criteria(const matching::Identifier& id) {
  return {{"query_type", "idtype-value"}, {"query", {{"type", id.type}, {"value", id.value}}}};
}

std::string iso_date(const matching::BirthDate& d) {
  char buf[16];
  if (d.day)
    std::snprintf(buf, sizeof buf, "%04u-%02u-%02u", d.year, d.month, d.day);
  else if (d.month)
    std::snprintf(buf, sizeof buf, "%04u-%02u", d.year, d.month);
  else
    std::snprintf(buf, sizeof buf, "%04u", d.year);
  return buf;
}

// TODO(lead): the expression the ibr module's fuzzy search reads is not on main yet; this is the
// spec's ExpressionQuery shape (ibr_api_v1.0.0.yaml, `expression: {collection, query}`) with the
// person's fields as attributes. Adjust the attribute names to what the module accepts.
Json expression_criteria(const matching::SyntheticRecord& r) {
  Json conditions = Json::array({Json{{"name", {{"$eq", r.full_name}}}}});
  if (r.birth.year) conditions.push_back({{"birth_date", {{"$eq", iso_date(r.birth)}}}});
  if (r.sex == matching::Sex::kFemale) conditions.push_back({{"sex", {{"$eq", "female"}}}});
  if (r.sex == matching::Sex::kMale) conditions.push_back({{"sex", {{"$eq", "male"}}}});
  if (!r.location.empty()) conditions.push_back({{"location", {{"$eq", r.location}}}});
  return {{"query_type", "expression"},
          {"query",
           {{"type", "ns:org:QueryType:NoSql"},
            {"value",
             {{"expression", {{"collection", "Person"}, {"query", {{"$and", conditions}}}}}}}}}};
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int keygen(const std::string& path) {
  const crypto::PrivateKey key = crypto::PrivateKey::generate(crypto::KeyType::kEd25519);
  std::ofstream(path, std::ios::binary) << key.to_pem();
  std::fputs(key.public_key().to_pem().c_str(), stdout);
  return 0;
}

int sign(const std::string& key_path, const std::string& sender, const std::string& kind,
         size_t count) {
  if (kind != "idtype-value" && kind != "expression")
    throw std::runtime_error("KIND is idtype-value or expression");
  const Population p = make_population(population_size());
  const dci::Signer signer(crypto::PrivateKey::from_pem(read_file(key_path)),
                           dci::SignatureAlgorithm::kEd25519, sender, "bench",
                           core::SystemClock::instance(),
                           std::chrono::seconds(env_size("IBR_BENCH_SIGNATURE_LIFETIME", 3600)));
  const auto ids = exact_queries(p, count);
  const auto people = fuzzy_queries(p, count);
  for (size_t i = 0; i < count; ++i) {
    dci::MsgHeader header;
    header.message_id = core::uuid_v4();
    header.message_ts = dci::format_message_ts(core::SystemClock::instance().now());
    header.action = "search";
    header.sender_id = sender;
    header.total_count = 1;
    const Json criteria = kind == "expression" ? expression_criteria(p.records[people[i]])
                                               : idtype_value_criteria(*ids[i].identifier);
    const Json message = {
        {"transaction_id", core::uuid_v4()},
        {"search_request",
         Json::array({{{"reference_id", std::to_string(i)}, {"search_criteria", criteria}}})}};
    const std::string body = signer.sign_envelope(header, message);
    std::fwrite(body.data(), 1, body.size(), stdout);
    std::fputc('\n', stdout);
  }
  return 0;
}

}  // namespace
}  // namespace registrar::bench::ibr

int main(int argc, char** argv) {
  using namespace registrar::bench::ibr;
  try {
    if (argc == 3 && std::string(argv[1]) == "keygen") return keygen(argv[2]);
    if (argc == 6 && std::string(argv[1]) == "sign")
      return sign(argv[2], argv[3], argv[4], std::stoul(argv[5]));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ibr_http_requests: %s\n", e.what());
    return 1;
  }
  std::fprintf(stderr,
               "usage: ibr_http_requests keygen KEY.pem\n"
               "       ibr_http_requests sign KEY.pem SENDER idtype-value|expression COUNT\n");
  return 2;
}
