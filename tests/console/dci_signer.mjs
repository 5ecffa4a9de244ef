// A DCI sender for the console's tests (the programme that reports enrollments to an IBR), in
// Node's own crypto, after dci-ibr.md §7 as tests/interop/dci_peer.py does it:
//   canonical = JSON of {header, message} with sorted keys, no spaces
//   string    = "(created): C\n(expires): E\ndigest: base64(SHA-256(canonical))"
//   signature = base64(Ed25519(string)), in the §7.2 parameter list.
// Values must be ASCII (Python's json.dumps, the reference, escapes the rest).
import { createHash, generateKeyPairSync, sign } from 'node:crypto';

function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  return JSON.stringify(value);
}

export class DciSender {
  constructor(senderId, keyId = 'k1') {
    this.senderId = senderId;
    this.kid = `${senderId}|${keyId}|ed25519`;
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    this.privateKey = privateKey;
    // Raw 32-byte public key, standard base64: what `ibr senders add --public-key` takes.
    this.publicKeyB64 = Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url').toString('base64');
  }

  envelope(action, message, receiverId = 'registrar-ibr') {
    const header = {
      version: '1.0.0', message_id: `m-${Date.now()}`,
      message_ts: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), action,
      sender_id: this.senderId, sender_uri: null, receiver_id: receiverId, total_count: 1,
      is_msg_encrypted: false, meta: null,
    };
    const created = Math.floor(Date.now() / 1000);
    const expires = created + 300;
    const digest = createHash('sha256').update(canonical({ header, message }), 'utf8').digest('base64');
    const text = `(created): ${created}\n(expires): ${expires}\ndigest: ${digest}`;
    const signature = sign(null, Buffer.from(text, 'utf8'), this.privateKey).toString('base64');
    return {
      signature: `namespace="dci", kidId="${this.kid}", algorithm="ed25519", created="${created}", ` +
        `expires="${expires}", headers="(created) (expires) digest", signature="${signature}"`,
      header, message,
    };
  }
}

// One beneficiary as a programme reports it (member.demographic_info.person, a programme).
export function beneficiary(ref, { nid, given, surname, birth, sex = 'F', programme = 'CT',
  programmeName = 'Cash Transfer' }) {
  return {
    reference_id: ref, '@type': 'Beneficiary',
    member: {
      demographic_info: { person: {
        name: { first_name: given, surname }, sex, birth_date: birth,
        identifier: [{ identifier_type: 'NID', identifier_value: nid }],
      } },
      programme_identifier: {
        programme: { programme_identifier: programme, programme_name: programmeName },
        enrolment_status: 'Active',
      },
    },
  };
}

// Reports `beneficiaries` to the registry at `base` as `sender`; the HTTP answer.
export async function reportEnrollments(base, sender, beneficiaries) {
  const body = sender.envelope('notify', { transaction_id: `t-${Date.now()}`,
    enrolled_updates: { beneficiaries } });
  const r = await fetch(`${base}/registry/sync/enrollment/updates`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  return { status: r.status, body: await r.text() };
}
