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

import {
  ApiError,
  codeForStatus,
  defaultMessage,
  errorFromBody,
  errorFromBridge,
  errorFromResponse,
  isErrorCode,
  isResolverKey,
  ERROR_CODES,
  type Args,
  type ErrorCode,
  type Out,
  type ResolverKey,
} from './lib/errors';
import { createForgeInvoker, type BridgeInvoke, type Invoke } from './lib/invoker';

// The pure error handling lives in lib/errors.ts (shared with the Forge modules).
export { ApiError, codeForStatus, defaultMessage, errorFromBody, errorFromBridge, errorFromResponse, isErrorCode, isResolverKey, ERROR_CODES };
export type { Args, ErrorCode, Out, ResolverKey };
export { createForgeInvoker, type BridgeInvoke, type Invoke };

export interface Credentials {
  email: string;
  token: string;
}

export type HostKind = 'forge' | 'local';


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
