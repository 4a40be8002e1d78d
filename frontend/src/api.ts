// The one place that knows where the backend is.
//
// Inside Jira (Forge Custom UI) calls go through `@forge/bridge`'s invoke; under
// the local host (`aigis up`) they go to `POST /api/invoke/{functionKey}` with
// HTTP Basic `email:apiToken`. The rest of the UI only calls `invoke<T>()`.

export const ERROR_CODES = [
  'invalid',
  'unauthenticated',
  'forbidden',
  'not-found',
  'conflict',
  'rate-limited',
  'unavailable',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number] | string;

/** An error answered by a resolver (or by the transport), with its code and field. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;
  readonly status?: number;

  constructor(code: ErrorCode, message: string, field?: string, status?: number) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    if (field !== undefined && field !== '') this.field = field;
    if (status !== undefined) this.status = status;
  }
}

export interface Credentials {
  email: string;
  token: string;
}

export type HostKind = 'forge' | 'local';

// ---------------------------------------------------------------------------
// Pure helpers (unit-tested)

/** The error code for an HTTP status when the body carries none. */
export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
    case 422:
      return 'invalid';
    case 401:
      return 'unauthenticated';
    case 403:
      return 'forbidden';
    case 404:
      return 'not-found';
    case 409:
      return 'conflict';
    case 429:
      return 'rate-limited';
    case 502:
    case 503:
    case 504:
      return 'unavailable';
    default:
      return 'internal';
  }
}

const DEFAULT_MESSAGES: Record<string, string> = {
  invalid: 'The request was not valid.',
  unauthenticated: 'Sign in again: the e-mail or API token was not accepted.',
  forbidden: 'You do not have permission to do this.',
  'not-found': 'Not found.',
  conflict: 'This conflicts with the current state.',
  'rate-limited': 'Too many requests; wait a minute and try again.',
  unavailable: 'The service is unavailable; try again shortly.',
  internal: 'Something went wrong on the server.',
};

export function defaultMessage(code: ErrorCode): string {
  return DEFAULT_MESSAGES[code] ?? 'Something went wrong.';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An ApiError from an `{code, message, field?}` body, or null if it is not one. */
export function errorFromBody(body: unknown, status?: number): ApiError | null {
  if (!isRecord(body)) return null;
  const inner = isRecord(body.error) ? body.error : body;
  if (typeof inner.code !== 'string') return null;
  const message =
    typeof inner.message === 'string' && inner.message !== '' ? inner.message : defaultMessage(inner.code);
  const field = typeof inner.field === 'string' ? inner.field : undefined;
  return new ApiError(inner.code, message, field, status);
}

/** Maps a non-2xx HTTP answer (resolver or Jira REST) to an ApiError. */
export function errorFromResponse(status: number, text: string): ApiError {
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  const own = errorFromBody(body, status);
  if (own) return own;
  const code = codeForStatus(status);
  if (isRecord(body) && (Array.isArray(body.errorMessages) || isRecord(body.errors))) {
    // Jira REST error collection: {errorMessages: [...], errors: {field: message}}.
    const messages = Array.isArray(body.errorMessages) ? body.errorMessages.map(String) : [];
    const fields = isRecord(body.errors) ? Object.entries(body.errors) : [];
    const all = [...messages, ...fields.map(([k, v]) => `${k}: ${String(v)}`)];
    return new ApiError(code, all.length ? all.join('; ') : defaultMessage(code), fields[0]?.[0], status);
  }
  const plain = text.trim();
  return new ApiError(code, plain && plain.length < 500 && !plain.startsWith('<') ? plain : defaultMessage(code), undefined, status);
}

/** Maps whatever a Forge bridge invoke rejected with to an ApiError. */
export function errorFromBridge(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  const own = errorFromBody(e);
  if (own) return own;
  const message = e instanceof Error ? e.message : typeof e === 'string' ? e : '';
  // The resolver's JSON error may be embedded in the bridge's message.
  const start = message.indexOf('{');
  const end = message.lastIndexOf('}');
  if (start >= 0 && end > start) {
    try {
      const parsed = errorFromBody(JSON.parse(message.slice(start, end + 1)));
      if (parsed) return parsed;
    } catch {
      /* not JSON */
    }
  }
  return new ApiError('internal', message || defaultMessage('internal'));
}

function utf8Base64(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** The `Authorization` header value for HTTP Basic `email:token`. */
export function basicAuth(creds: Credentials): string {
  return 'Basic ' + utf8Base64(`${creds.email}:${creds.token}`);
}

export interface HttpRequest {
  url: string;
  init: { method: string; headers: Record<string, string>; body?: string };
}

/** The HTTP request the local host expects for one resolver call. */
export function buildInvokeRequest(
  origin: string,
  functionKey: string,
  payload: unknown,
  creds: Credentials | null,
): HttpRequest {
  if (!functionKey || /[/?#\s]/.test(functionKey)) {
    throw new ApiError('invalid', `Not a function key: "${functionKey}"`, 'functionKey');
  }
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
  };
  if (creds) headers.authorization = basicAuth(creds);
  return {
    url: new URL(`/api/invoke/${encodeURIComponent(functionKey)}`, origin).toString(),
    init: { method: 'POST', headers, body: JSON.stringify(payload ?? {}) },
  };
}

/** The HTTP request for a Jira REST call of the local simulator. */
export function buildJiraRequest(
  origin: string,
  method: string,
  path: string,
  body: unknown,
  creds: Credentials | null,
): HttpRequest {
  if (!path.startsWith('/rest/')) throw new ApiError('invalid', `Not a Jira REST path: ${path}`, 'path');
  const headers: Record<string, string> = { accept: 'application/json' };
  if (creds) headers.authorization = basicAuth(creds);
  const init: HttpRequest['init'] = { method, headers };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  return { url: new URL(path, origin).toString(), init };
}

export interface SnapshotV1 {
  toolId: string;
  purpose: string;
  durationDays: number;
}

/** The body of `POST /rest/api/3/issue` that files an access request through the portal project. */
export function buildRequestIssue(
  projectKey: string,
  toolName: string,
  snapshot: SnapshotV1,
  requestTypeId?: string,
): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    project: { key: projectKey },
    issuetype: { name: 'Service Request' },
    summary: `Access to ${toolName} for ${snapshot.durationDays} day${snapshot.durationDays === 1 ? '' : 's'}`,
  };
  if (requestTypeId) fields.customfield_10010 = requestTypeId;
  return {
    fields,
    properties: [{ key: 'aigis.snapshot.v1', value: { ...snapshot } }],
  };
}

type FetchLike = (url: string, init: HttpRequest['init']) => Promise<{
  ok: boolean;
  status: number;
  text(): Promise<string>;
}>;

async function send<T>(fetchFn: FetchLike, req: HttpRequest): Promise<T> {
  let res;
  try {
    res = await fetchFn(req.url, req.init);
  } catch (e) {
    throw new ApiError('unavailable', `Cannot reach the local host: ${e instanceof Error ? e.message : String(e)}`);
  }
  const text = await res.text();
  if (!res.ok) throw errorFromResponse(res.status, text);
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError('internal', 'The server answered with something that is not JSON.', undefined, res.status);
  }
}

/** A local-host invoker over any fetch (tests pass a fake one). */
export function createLocalInvoker(fetchFn: FetchLike, origin: string, getCreds: () => Credentials | null) {
  return {
    invoke<T>(functionKey: string, payload: unknown = {}): Promise<T> {
      return send<T>(fetchFn, buildInvokeRequest(origin, functionKey, payload, getCreds()));
    },
    jira<T>(method: string, path: string, body?: unknown): Promise<T> {
      return send<T>(fetchFn, buildJiraRequest(origin, method, path, body, getCreds()));
    },
  };
}

// ---------------------------------------------------------------------------
// Runtime: environment detection, credentials, the shared invoke

const CREDS_KEY = 'aigis.credentials';

declare global {
  // Set by Forge inside a Custom UI iframe.
  // eslint-disable-next-line no-var
  var __bridge: { callBridge?: unknown } | undefined;
}

/** Forge when its bridge is present, otherwise the local host. `?host=local` forces local. */
export function detectHost(): HostKind {
  const g = globalThis as typeof globalThis & { location?: Location };
  if (g.location && /[?&]host=local\b/.test(g.location.search)) return 'local';
  return typeof g.__bridge?.callBridge === 'function' ? 'forge' : 'local';
}

function storage(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}

export function getCredentials(): Credentials | null {
  const raw = storage()?.getItem(CREDS_KEY);
  if (!raw) return null;
  try {
    const c = JSON.parse(raw);
    return typeof c?.email === 'string' && typeof c?.token === 'string' ? { email: c.email, token: c.token } : null;
  } catch {
    return null;
  }
}

export function setCredentials(creds: Credentials | null): void {
  const s = storage();
  if (!s) return;
  if (creds) s.setItem(CREDS_KEY, JSON.stringify(creds));
  else s.removeItem(CREDS_KEY);
}

function origin(): string {
  return typeof location === 'undefined' ? 'http://127.0.0.1/' : location.origin;
}

let local: ReturnType<typeof createLocalInvoker> | null = null;
function localInvoker() {
  if (!local) {
    local = createLocalInvoker((url, init) => fetch(url, init), origin(), getCredentials);
  }
  return local;
}

type BridgeInvoke = (key: string, payload?: Record<string, unknown>) => Promise<unknown>;
let bridgeInvoke: Promise<BridgeInvoke> | null = null;

async function forgeInvoke<T>(functionKey: string, payload: unknown): Promise<T> {
  if (!bridgeInvoke) {
    // Loaded only inside Forge: the bridge throws at import time elsewhere.
    // The package is CommonJS: its exports may sit on the namespace or on `default`.
    bridgeInvoke = import('@forge/bridge').then((m) => {
      const mod = m as unknown as { invoke?: BridgeInvoke; default?: { invoke?: BridgeInvoke } };
      const fn = mod.invoke ?? mod.default?.invoke;
      if (typeof fn !== 'function') throw new ApiError('internal', 'The Forge bridge has no invoke function.');
      return fn;
    });
  }
  const fn = await bridgeInvoke;
  let result: unknown;
  try {
    result = await fn(functionKey, (payload ?? {}) as Record<string, unknown>);
  } catch (e) {
    throw errorFromBridge(e);
  }
  if (isRecord(result) && isRecord(result.error)) {
    const err = errorFromBody(result);
    if (err) throw err;
  }
  return result as T;
}

/** Calls a resolver function by key, wherever the UI runs. */
export function invoke<T>(functionKey: string, payload: unknown = {}): Promise<T> {
  return detectHost() === 'forge' ? forgeInvoke<T>(functionKey, payload) : localInvoker().invoke<T>(functionKey, payload);
}

/** A Jira REST call through the local simulator (local host only). */
export function localJira<T>(method: string, path: string, body?: unknown): Promise<T> {
  if (detectHost() !== 'local') {
    return Promise.reject(new ApiError('forbidden', 'Direct Jira calls are only available under the local host.'));
  }
  return localInvoker().jira<T>(method, path, body);
}
