#include "dci/signature.h"

#include <gtest/gtest.h>

#include "core/base64.h"
#include "core/error.h"
#include "crypto/signature.h"

namespace registrar::dci {
namespace {

using namespace std::chrono_literals;

// dci-ibr.md §7.9
constexpr const char* kSeedHex = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr const char* kHeader =
    R"({"version":"1.0.0","message_id":"ibr-callback-001","message_ts":"2024-01-15T10:30:00Z",)"
    R"("action":"on-search","sender_id":"ibr.national.gov","sender_uri":"https://ibr.national.gov/api/v1",)"
    R"("receiver_id":"ibr.client.openspp","total_count":1,"is_msg_encrypted":false,"meta":null})";
constexpr const char* kMessage =
    R"({"transaction_id":"t2","correlation_id":"CORR-9","search_response":[{"status":"succ",)"
    R"("data":{"reg_records":[{"programs":[{"name":"Cash Transfer"}]}]}}]})";
constexpr const char* kDigest = "UD2cPrpqjBlUN/p+Rg4wUHV79MN1FaUKJIvsK77hugM=";
constexpr const char* kSignatureValue =
    R"(namespace="dci", kidId="ibr.national.gov|2024-test-key|ed25519", algorithm="ed25519", )"
    R"(created="1705314600", expires="1705314900", headers="(created) (expires) digest", )"
    R"(signature="lomC+ypSrnmM5JEAw5DgnyMwkjPTo2g7M/WU1YkoWtBFXXQC5OvGX05v4l5N8wp7ySdyf+mbYMV6yK54d4YaDQ==")";
constexpr int64_t kCreated = 1705314600;

std::string unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2)
    out += char(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  return out;
}

const crypto::PrivateKey& vector_key() {
  static const crypto::PrivateKey key = crypto::PrivateKey::from_ed25519_seed(unhex(kSeedHex));
  return key;
}

core::ManualClock clock_at(int64_t seconds) {
  return core::ManualClock(core::from_unix_seconds(seconds));
}

std::string body(const std::string& signature, const std::string& header = kHeader,
                 const std::string& message = kMessage) {
  return R"({"signature":)" + nlohmann::json(signature).dump() + R"(,"header":)" + header +
         R"(,"message":)" + message + "}";
}

TEST(DciSignature, SpecVectorByteForByte) {
  EXPECT_EQ(core::base64_encode(std::string(
                reinterpret_cast<const char*>(vector_key().public_key().ed25519_raw().data()), 32)),
            "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
  std::string header = canonical_json(kHeader);
  std::string message = canonical_json(kMessage);
  EXPECT_EQ(
      R"({"header":)" + header + R"(,"message":)" + message + "}",
      R"({"header":{"action":"on-search","is_msg_encrypted":false,"message_id":"ibr-callback-001","message_ts":"2024-01-15T10:30:00Z","meta":null,"receiver_id":"ibr.client.openspp","sender_id":"ibr.national.gov","sender_uri":"https://ibr.national.gov/api/v1","total_count":1,"version":"1.0.0"},"message":{"correlation_id":"CORR-9","search_response":[{"data":{"reg_records":[{"programs":[{"name":"Cash Transfer"}]}]},"status":"succ"}],"transaction_id":"t2"}})");
  EXPECT_EQ(signature_digest(header, message), kDigest);

  auto clock = clock_at(kCreated);
  Signer signer(vector_key(), SignatureAlgorithm::kEd25519, "ibr.national.gov", "2024-test-key",
                clock);
  EXPECT_EQ(signer.kid(), "ibr.national.gov|2024-test-key|ed25519");
  EXPECT_EQ(signer.sign(header, message), kSignatureValue);
}

// A key held elsewhere (identity's services::Signing) signs through a function: same bytes.
TEST(DciSignature, SpecVectorThroughRawSignFunction) {
  auto clock = clock_at(kCreated);
  int calls = 0;
  Signer signer(
      [&calls](std::string_view data) {
        ++calls;
        return crypto::sign_bytes(vector_key(), crypto::JwsAlg::kEdDSA, data);
      },
      SignatureAlgorithm::kEd25519, "ibr.national.gov", "2024-test-key", clock);
  EXPECT_EQ(signer.kid(), "ibr.national.gov|2024-test-key|ed25519");
  EXPECT_EQ(signer.sign(canonical_json(kHeader), canonical_json(kMessage)), kSignatureValue);
  EXPECT_EQ(calls, 1);
  EXPECT_THROW(Signer(Signer::RawSign{}, SignatureAlgorithm::kEd25519, "s", "k", clock),
               core::Error);
}

TEST(DciSignature, SpecVectorVerifies) {
  Envelope env = parse_envelope(body(kSignatureValue));
  auto clock = clock_at(kCreated + 100);
  VerifyResult r =
      verify_envelope(env, vector_key().public_key(), SignatureAlgorithm::kEd25519, clock);
  EXPECT_TRUE(r.ok()) << r.detail;
  EXPECT_FALSE(r.raw_header);
  EXPECT_EQ(r.params.kid_id, "ibr.national.gov|2024-test-key|ed25519");
  // With the leading "Signature:" of the spec's examples.
  env.signature = "Signature:  " + std::string(kSignatureValue);
  EXPECT_TRUE(
      verify_envelope(env, vector_key().public_key(), SignatureAlgorithm::kEd25519, clock).ok());
}

TEST(DciSignature, Window) {
  Envelope env = parse_envelope(body(kSignatureValue));
  const auto& key = vector_key().public_key();
  auto at = [&](int64_t t) {
    auto clock = clock_at(t);
    return verify_envelope(env, key, SignatureAlgorithm::kEd25519, clock).status;
  };
  EXPECT_EQ(at(kCreated + 300), VerifyStatus::kOk);  // now == expires still valid
  EXPECT_EQ(at(kCreated + 301), VerifyStatus::kExpired);
  EXPECT_EQ(at(kCreated - 60), VerifyStatus::kOk);  // 60 s future skew
  EXPECT_EQ(at(kCreated - 61), VerifyStatus::kNotYetValid);
  auto clock = clock_at(kCreated);
  VerifyOptions strict{.future_skew = 0s, .max_lifetime = 299s};
  EXPECT_EQ(verify_envelope(env, key, SignatureAlgorithm::kEd25519, clock, strict).status,
            VerifyStatus::kLifetimeTooLong);
}

// Every changed byte of header or message is refused, except a change the normalised header
// cannot see: the verifier hashes pydantic's view of the header (§7.4), where an unknown member
// is dropped and an absent one takes its default — so renaming "meta":null to "mxta":null
// changes nothing that is signed (docs/compatibility.md).
TEST(DciSignature, AnyChangedByteIsRefused) {
  auto clock = clock_at(kCreated);
  const auto& key = vector_key().public_key();
  std::string good = body(kSignatureValue);
  Envelope original = parse_envelope(good);
  auto signed_form = [](const Envelope& e) {
    return normalized_header_canonical(e.raw_header).value_or("") + to_canonical(e.raw_message);
  };
  size_t header_at = good.find(R"("header":)") + 9;
  size_t refused = 0, unseen = 0;
  for (size_t i = header_at; i < good.size(); ++i) {
    for (char c : {'x', '1', ' '}) {
      std::string bad = good;
      if (bad[i] == c) continue;
      bad[i] = c;
      if (!parse_json(bad)) {
        ++refused;  // no longer JSON: refused before any signature check
        continue;
      }
      try {
        Envelope env = parse_envelope(bad);
        if (verify_envelope(env, key, SignatureAlgorithm::kEd25519, clock).ok()) {
          EXPECT_EQ(signed_form(env), signed_form(original)) << "accepted: " << bad;
          ++unseen;
        } else {
          ++refused;
        }
      } catch (const core::Error&) {
        ++refused;
      }
    }
  }
  EXPECT_GT(refused, 500u);
  // Renamed "version", "is_msg_encrypted" and "meta", whose values are the defaults (3 edits
  // per character of the name), and message_ts's "T" as " ", which pydantic reads the same.
  EXPECT_EQ(unseen, 3u * (7 + 16 + 4) + 1);
}

TEST(DciSignature, ChangedSignatureParamsAreRefused) {
  auto clock = clock_at(kCreated);
  const auto& key = vector_key().public_key();
  auto status = [&](std::string sig) {
    return verify_envelope(parse_envelope(body(sig)), key, SignatureAlgorithm::kEd25519, clock)
        .status;
  };
  auto replace = [](std::string s, std::string_view from, std::string_view to) {
    return s.replace(s.find(from), from.size(), to);
  };
  std::string sig = kSignatureValue;
  EXPECT_EQ(status(replace(sig, "1705314900", "1705314901")), VerifyStatus::kBadSignature);
  EXPECT_EQ(status(replace(sig, "created=\"1705314600\"", "created=\"1705314601\"")),
            VerifyStatus::kBadSignature);
  EXPECT_EQ(status(replace(sig, "lomC", "lomD")), VerifyStatus::kBadSignature);
  EXPECT_EQ(status(replace(sig, "algorithm=\"ed25519\"", "algorithm=\"rs256\"")),
            VerifyStatus::kAlgorithmMismatch);
  EXPECT_EQ(status(replace(sig, "created=\"1705314600\", ", "")), VerifyStatus::kMalformed);
  EXPECT_EQ(status(replace(sig, "1705314900", "soon")), VerifyStatus::kMalformed);
  EXPECT_EQ(status(replace(sig, "lomC", "lo!C")), VerifyStatus::kMalformed);
  // kidId, namespace and headers are not part of what is signed (OpenSPP does not check them).
  EXPECT_EQ(status(replace(sig, "namespace=\"dci\"", "namespace=\"spdci\"")), VerifyStatus::kOk);
  // Times re-rendered as Python's str(int(...)) does.
  EXPECT_EQ(status(replace(sig, "1705314900", "+01705314900")), VerifyStatus::kOk);
  EXPECT_EQ(status(""), VerifyStatus::kMissing);
  EXPECT_EQ(status("unsigned-stub"), VerifyStatus::kMissing);
  EXPECT_EQ(status("garbage"), VerifyStatus::kMalformed);
}

TEST(DciSignature, ParamsParsedLikeOpenSpp) {
  SignatureParams p = parse_signature_params(
      R"(Signature: created=1, expires="2", x-algorithm="a", algorithm=ed25519,signature="", )"
      R"(signature="c2ln", kidId="s|k|ed25519")");
  EXPECT_EQ(p.created, "1");
  EXPECT_EQ(p.expires, "2");
  EXPECT_EQ(p.algorithm, "ed25519");  // the later pair wins; "x-" makes the name "algorithm"
  EXPECT_EQ(p.signature, "c2ln");
  EXPECT_EQ(p.kid_id, "s|k|ed25519");
  EXPECT_EQ(parse_signature_params(R"(signature="")").signature, "\"\"");  // bare form
}

TEST(DciSignature, WrongKeyIsRefused) {
  auto clock = clock_at(kCreated);
  Envelope env = parse_envelope(body(kSignatureValue));
  auto other = crypto::PrivateKey::generate(crypto::KeyType::kEd25519);
  EXPECT_EQ(verify_envelope(env, other.public_key(), SignatureAlgorithm::kEd25519, clock).status,
            VerifyStatus::kBadSignature);
  auto rsa = crypto::PrivateKey::generate(crypto::KeyType::kRsa);
  EXPECT_EQ(verify_envelope(env, rsa.public_key(), SignatureAlgorithm::kEd25519, clock).status,
            VerifyStatus::kWrongKey);
  EXPECT_THROW(Signer(rsa, SignatureAlgorithm::kEd25519, "s", "k", clock), core::Error);
}

TEST(DciSignature, Rs256RoundTrip) {
  auto clock = clock_at(kCreated);
  auto rsa = crypto::PrivateKey::generate(crypto::KeyType::kRsa);
  Signer signer(rsa, SignatureAlgorithm::kRs256, "sp-mis", "rsa-1", clock);
  MsgHeader h;
  h.message_id = "m1";
  h.message_ts = "2024-01-15T10:30:00.000Z";
  h.action = "search";
  h.sender_id = "sp-mis";
  h.receiver_id = "ibr";
  std::string sent = signer.sign_envelope(h, {{"transaction_id", "t1"}});
  Envelope env = parse_envelope(sent);
  EXPECT_NE(env.signature->find(R"(algorithm="rs256")"), std::string::npos);
  EXPECT_NE(env.signature->find(R"(kidId="sp-mis|rsa-1|rs256")"), std::string::npos);
  EXPECT_EQ(env.common().message_ts, "2024-01-15T10:30:00Z");  // sent in pydantic's form
  VerifyResult r = verify_envelope(env, rsa.public_key(), SignatureAlgorithm::kRs256, clock);
  EXPECT_TRUE(r.ok()) << r.detail;
  EXPECT_EQ(verify_envelope(env, rsa.public_key(), SignatureAlgorithm::kEd25519, clock).status,
            VerifyStatus::kAlgorithmMismatch);
  // RSASSA-PKCS1-v1_5: deterministic, so signing twice gives the same bytes.
  EXPECT_EQ(signer.sign_envelope(h, {{"transaction_id", "t1"}}), sent);
}

TEST(DciSignature, SignedEnvelopeIsCanonicalAndNormalised) {
  auto clock = clock_at(kCreated);
  Signer signer(vector_key(), SignatureAlgorithm::kEd25519, "ibr.national.gov", "2024-test-key",
                clock);
  MsgCallbackHeader h;
  h.message_id = "ibr-callback-001";
  h.message_ts = "2024-01-15T10:30:00+00:00";
  h.action = "on-search";
  h.sender_id = "ibr.national.gov";
  h.receiver_id = "ibr.client.openspp";  // OpenSPP's model requires it
  h.status = RequestStatus::kSucc;
  std::string sent = signer.sign_envelope(h, nlohmann::json::parse(kMessage));
  EXPECT_EQ(canonical_json(sent), sent);
  Envelope env = parse_envelope(sent);
  // What we send is what OpenSPP's normalising verifier hashes: raw == normalised.
  EXPECT_EQ(normalized_header_canonical(env.raw_header), to_canonical(env.raw_header));
  VerifyResult r =
      verify_envelope(env, vector_key().public_key(), SignatureAlgorithm::kEd25519, clock);
  EXPECT_TRUE(r.ok());
  EXPECT_FALSE(r.raw_header);
}

TEST(DciSignature, NormalisedHeaderFirstRawSecond) {
  auto clock = clock_at(kCreated);
  Signer signer(vector_key(), SignatureAlgorithm::kEd25519, "s", "k", clock);
  // A Python peer that hashed pydantic's dump of a header it sent in another form.
  std::string sent_header =
      R"({"message_id":"1","message_ts":"2023-07-19T12:15:04.555Z","action":"search",)"
      R"("sender_id":"s","receiver_id":"r","total_count":"1","extra":"dropped"})";
  auto normalized = normalized_header_canonical(*parse_json(sent_header));
  ASSERT_TRUE(normalized);
  EXPECT_EQ(
      *normalized,
      R"({"action":"search","is_msg_encrypted":false,"message_id":"1","message_ts":"2023-07-19T12:15:04.555000Z","meta":null,"receiver_id":"r","sender_id":"s","sender_uri":null,"total_count":1,"version":"1.0.0"})");
  std::string message = R"({"a":1})";
  std::string sig = signer.sign(*normalized, message);
  Envelope env = parse_envelope(body(sig, sent_header, message));
  VerifyResult r =
      verify_envelope(env, vector_key().public_key(), SignatureAlgorithm::kEd25519, clock);
  EXPECT_TRUE(r.ok());
  EXPECT_FALSE(r.raw_header);
  EXPECT_EQ(r.matched, 0u);
  // A peer that hashed the raw header as it sent it.
  sig = signer.sign(canonical_json(sent_header), message);
  env = parse_envelope(body(sig, sent_header, message));
  r = verify_envelope(env, vector_key().public_key(), SignatureAlgorithm::kEd25519, clock);
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.raw_header);
  // A header pydantic would refuse (meta ""): only the raw digest is tried.
  std::string sample =
      R"({"message_id":"1","message_ts":"x","action":"a","sender_id":"s","meta":""})";
  EXPECT_FALSE(normalized_header_canonical(*parse_json(sample)));
  env = parse_envelope(body(signer.sign(canonical_json(sample), message), sample, message));
  EXPECT_EQ(envelope_digests(env).size(), 1u);
  r = verify_envelope(env, vector_key().public_key(), SignatureAlgorithm::kEd25519, clock);
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.raw_header);
}

}  // namespace
}  // namespace registrar::dci
