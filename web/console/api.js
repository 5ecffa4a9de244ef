// The console's only way to the server: the public API, with the signed-in person's bearer
// token. The token lives in this module's memory only (never in localStorage or a cookie), so
// closing or reloading the tab signs the person out.
import { t } from './i18n.js';

let session = null;  // {token, expiresAt (ms), subject, scopes, modules, version}
let onExpired = () => {};
let expiryTimer = null;

export class ApiError extends Error {
  constructor(status, message, field, body) {
    super(message);
    this.status = status;
    this.field = field;
    this.body = body;  // the parsed answer, for a page that reads more than the message
  }
}

export function currentSession() {
  return session;
}

// Whether the person's scopes allow a route ("POST /v1/ids/{type}/issue"), as the server
// computed it for them: scope names are configurable, routes are not.
export function may(route) {
  return !!session && session.allowed.includes(route);
}

export function whenExpired(callback) {
  onExpired = callback;
}

export function signOut() {
  session = null;
  clearTimeout(expiryTimer);
}

// What a person should read for a failed call: the API's own words (problem `detail`, MOSIP
// `errors[].message`, OAuth `error_description`), else a sentence for the status.
function messageOf(status, body) {
  if (body && typeof body === 'object') {
    if (body.detail) return body.detail;
    if (Array.isArray(body.errors) && body.errors.length)
      return body.errors.map((e) => e.message || e.errorCode).join('; ');
    if (body.error_description) return body.error_description;
  }
  if (status === 0) return t('error_network');
  if (status === 401) return t('error_401');
  if (status === 403) return t('error_403');
  if (status === 404) return t('error_404');
  if (status === 429) return t('error_429');
  if (status >= 500) return t('error_5xx');
  return t('error_status', { status });
}

async function call(method, path, { body, form, raw, auth = true } = {}) {
  const headers = { Accept: 'application/json' };
  if (auth && session) headers.Authorization = `Bearer ${session.token}`;
  let payload;
  if (form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    payload = new URLSearchParams(form).toString();
  } else if (raw) {
    headers['Content-Type'] = raw.type;
    payload = raw.text;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let r;
  try {
    r = await fetch(path, { method, headers, body: payload, cache: 'no-store' });
  } catch {
    throw new ApiError(0, messageOf(0));
  }
  const text = await r.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!r.ok) {
    if (r.status === 401 && auth && session) {
      signOut();
      onExpired(t('session_expired'));
    }
    throw new ApiError(r.status, messageOf(r.status, parsed), parsed?.field, parsed);
  }
  return parsed;
}

export const api = {
  get: (path) => call('GET', path),
  post: (path, body) => call('POST', path, { body: body ?? {} }),
  put: (path, body) => call('PUT', path, { body }),
  del: (path) => call('DELETE', path),
  // A body that is not JSON (an intercoop descriptor in YAML).
  putText: (path, text, type) => call('PUT', path, { raw: { text, type } }),
  // Public routes (health) that need no token.
  getPublic: (path) => call('GET', path, { auth: false }),
};

// The password grant of the console's public client (identity.public_clients), then what this
// server is and what the person may do.
export async function signIn(username, password) {
  const token = await call('POST', '/oauth2/token', {
    auth: false,
    form: { grant_type: 'password', client_id: 'console', username, password },
  });
  session = { token: token.access_token, expiresAt: Date.now() + token.expires_in * 1000 };
  try {
    const info = await api.get('/v1/platform/info');
    Object.assign(session, info);
  } catch (e) {
    session = null;
    throw e;
  }
  clearTimeout(expiryTimer);
  expiryTimer = setTimeout(() => {
    signOut();
    onExpired(t('session_expired'));
  }, Math.max(0, session.expiresAt - Date.now()));
  return session;
}
