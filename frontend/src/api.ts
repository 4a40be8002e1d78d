// The one place that knows where the backend is.
//
// Inside Jira (Forge Custom UI) calls go through `@forge/bridge`'s invoke; under
// the local host (`aigis up`) they go to `POST /api/invoke/{functionKey}` with
// HTTP Basic `email:apiToken`. The rest of the UI only calls `invoke(key, args)`,
// typed by the generated resolver table: a key that is not a resolver, or args
// of the wrong shape, do not compile, and the answer has the resolver's type.
//
// Errors are told apart by their code (`{code, message, field?}` in the body);
// where only an HTTP status is known, the status maps back to the code that
// owns it (the generated `ERROR_STATUS`, inverted).

import { ERROR_STATUS, RESOLVERS, type ErrorCode, type ResolverKey, type Resolvers } from './generated/api';

export type { ErrorCode, ResolverKey };

/** The arguments of resolver `K`. */
export type Args<K extends ResolverKey> = Resolvers[K]['args'];
/** The answer of resolver `K`. */
export type Out<K extends ResolverKey> = Resolvers[K]['out'];

/** Every error code, in the generated order. */
export const ERROR_CODES: readonly ErrorCode[] = Object.keys(ERROR_STATUS) as ErrorCode[];

const CODE_OF_STATUS: ReadonlyMap<number, ErrorCode> = new Map(ERROR_CODES.map((c) => [ERROR_STATUS[c], c]));

function owns(table: object, key: unknown): boolean {
  return typeof key === 'string' && Object.prototype.hasOwnProperty.call(table, key);
}

export function isErrorCode(v: unknown): v is ErrorCode {
  return owns(ERROR_STATUS, v);
}

export function isResolverKey(v: unknown): v is ResolverKey {
  return owns(RESOLVERS, v);
}

/** An error answered by a resolver (or by the transport), with its code and field. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;
  readonly status?: number;
  /** For `rate-limited`: seconds until a new call is allowed. */
  readonly retryAfter?: number;

  constructor(code: ErrorCode, message: string, field?: string, status?: number, retryAfter?: number) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    if (field !== undefined && field !== '') this.field = field;
    if (status !== undefined) this.status = status;
    if (retryAfter !== undefined) this.retryAfter = retryAfter;
  }
}

export interface Credentials {
  email: string;
  token: string;
}

export type HostKind = 'forge' | 'local';

// ---------------------------------------------------------------------------
// Pure helpers (unit-tested)

/**
 * The error code for an HTTP status when the body carries none: the code that
 * owns the status; for a status no code owns (a proxy, the Jira simulator),
 * a gateway failure is `unavailable`, another 4xx `invalid`, the rest `internal`.
 */
export function codeForStatus(status: number): ErrorCode {
  const own = CODE_OF_STATUS.get(status);
  if (own) return own;
  if (status === 502 || status === 504) return 'unavailable';
  if (status >= 400 && status < 500) return 'invalid';
  return 'internal';
}

const DEFAULT_MESSAGES: Record<ErrorCode, string> = {
  invalid: 'Something in what was sent is not valid.',
  unauthenticated: 'You are not signed in, or your sign-in has expired: sign in again.',
  forbidden: 'You do not have permission to do this.',
  'not-found': 'That was not found; it may have been removed.',
  'method-not-allowed': 'That address does not answer this kind of request.',
  conflict: 'This conflicts with a change made meanwhile; reload and try again.',
  'too-large': 'What was sent is too large; send less at a time.',
  'rate-limited': 'Too many requests; wait a minute and try again.',
  internal: 'Something went wrong in Aigis; it has been logged. Try again later.',
  unavailable: 'Aigis, or a service it depends on, is unavailable; try again shortly.',
};

/** The plain-words message of a code, for answers that carry none. */
export function defaultMessage(code: ErrorCode): string {
  return DEFAULT_MESSAGES[code];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * An ApiError from an `{code, message, field?, retryAfter?}` body (also wrapped
 * as `{error: {...}}`), or null if it is not one. A code the UI does not know is
 * read from the status when there is one, else taken as `internal`.
 */
export function errorFromBody(body: unknown, status?: number): ApiError | null {
  if (!isRecord(body)) return null;
  const inner = isRecord(body.error) ? body.error : body;
  if (typeof inner.code !== 'string') return null;
  const code: ErrorCode = isErrorCode(inner.code) ? inner.code : status !== undefined ? codeForStatus(status) : 'internal';
  const message = typeof inner.message === 'string' && inner.message.trim() !== '' ? inner.message : defaultMessage(code);
  const field = typeof inner.field === 'string' ? inner.field : undefined;
  const retryAfter =
    typeof inner.retryAfter === 'number' && Number.isFinite(inner.retryAfter) && inner.retryAfter >= 0 ? inner.retryAfter : undefined;
  return new ApiError(code, message, field, status, retryAfter);
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
  // Anything else (a proxy's page, a framework's plain text) is not written for people.
  return new ApiError(code, defaultMessage(code), undefined, status);
}

/** Maps whatever a Forge bridge invoke rejected with to an ApiError. */
export function errorFromBridge(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  const status = isRecord(e) && typeof e.status === 'number' ? e.status : undefined;
  const own = errorFromBody(e, status);
  if (own) return own;
  const message = e instanceof Error ? e.message : typeof e === 'string' ? e : '';
  // The resolver's JSON error may be embedded in the bridge's message.
  const start = message.indexOf('{');
  const end = message.lastIndexOf('}');
  if (start >= 0 && end > start) {
    try {
      const parsed = errorFromBody(JSON.parse(message.slice(start, end + 1)), status);
      if (parsed) return parsed;
    } catch {
      /* not JSON */
    }
  }
  if (status !== undefined) return new ApiError(codeForStatus(status), defaultMessage(codeForStatus(status)), undefined, status);
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

/**
 * The HTTP request the local host expects for one resolver call. The key is
 * checked at run time too: a key from outside the compiler's sight (a cast, a
 * stale bundle) is refused here rather than sent.
 */
export function buildInvokeRequest<K extends ResolverKey>(
  origin: string,
  functionKey: K,
  payload: Args<K> | undefined,
  creds: Credentials | null,
): HttpRequest {
  if (!isResolverKey(functionKey)) {
    throw new ApiError('invalid', `"${String(functionKey)}" is not an Aigis function.`, 'functionKey');
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

async function send(fetchFn: FetchLike, req: HttpRequest): Promise<unknown> {
  let res;
  try {
    res = await fetchFn(req.url, req.init);
  } catch (e) {
    throw new ApiError('unavailable', `Cannot reach the local host: ${e instanceof Error ? e.message : String(e)}`);
  }
  const text = await res.text();
  if (!res.ok) throw errorFromResponse(res.status, text);
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError('internal', 'The server answered with something that is not JSON.', undefined, res.status);
  }
}

/** A resolver call, typed by the generated table. */
export type Invoke = <K extends ResolverKey>(key: K, args: Args<K>) => Promise<Out<K>>;

/** A local-host invoker over any fetch (tests pass a fake one). */
export function createLocalInvoker(fetchFn: FetchLike, origin: string, getCreds: () => Credentials | null) {
  const invoke: Invoke = async (key, args) =>
    // The host answers with the resolver's serialised `Out` (the route table's contract).
    (await send(fetchFn, buildInvokeRequest(origin, key, args, getCreds()))) as Out<typeof key>;
  return {
    invoke,
    jira<T>(method: string, path: string, body?: unknown): Promise<T> {
      return send(fetchFn, buildJiraRequest(origin, method, path, body, getCreds())) as Promise<T>;
    },
  };
}

/** The Forge bridge's `invoke(functionKey, payload)`. */
export type BridgeInvoke = (key: string, payload?: Record<string, unknown>) => Promise<unknown>;

/** A Forge invoker over a bridge invoke (tests pass a fake one). */
export function createForgeInvoker(bridge: () => Promise<BridgeInvoke>): Invoke {
  return async (key, args) => {
    if (!isResolverKey(key)) throw new ApiError('invalid', `"${String(key)}" is not an Aigis function.`, 'functionKey');
    const fn = await bridge();
    let result: unknown;
    try {
      result = await fn(key, (args ?? {}) as Record<string, unknown>);
    } catch (e) {
      throw errorFromBridge(e);
    }
    if (isRecord(result) && isRecord(result.error)) {
      const err = errorFromBody(result);
      if (err) throw err;
    }
    // The resolver answers with its serialised `Out` (the route table's contract).
    return result as Out<typeof key>;
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

let bridgeInvoke: Promise<BridgeInvoke> | null = null;
function loadBridge(): Promise<BridgeInvoke> {
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
  return bridgeInvoke;
}

const forgeInvoke = createForgeInvoker(loadBridge);

/** Calls a resolver function by key, wherever the UI runs. */
export function invoke<K extends ResolverKey>(key: K, args: Args<K>): Promise<Out<K>> {
  return detectHost() === 'forge' ? forgeInvoke(key, args) : localInvoker().invoke(key, args);
}

/** A Jira REST call through the local simulator (local host only). */
export function localJira<T>(method: string, path: string, body?: unknown): Promise<T> {
  if (detectHost() !== 'local') {
    return Promise.reject(new ApiError('forbidden', 'Direct Jira calls are only available under the local host.'));
  }
  return localInvoker().jira<T>(method, path, body);
}
