// Resolver errors: the `{code, message, field?, retryAfter?}` answer of every
// resolver (and of the transport) as an ApiError, told apart by its generated
// `ErrorCode`; where only an HTTP status is known it maps back to the code
// that owns it (`ERROR_STATUS`, inverted). Pure: no bridge, no fetch.

import { ERROR_STATUS, RESOLVERS, type ErrorCode, type ResolverKey, type Resolvers } from '../generated/api';

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

export function isRecord(v: unknown): v is Record<string, unknown> {
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

const CODE_TITLES: Record<ErrorCode, string> = {
  invalid: 'Not valid',
  unauthenticated: 'Not signed in',
  forbidden: 'Not allowed',
  'not-found': 'Not found',
  'method-not-allowed': 'Not allowed here',
  conflict: 'Conflict',
  'too-large': 'Too large',
  'rate-limited': 'Too many requests',
  unavailable: 'Unavailable',
  internal: 'Server error',
};

/** The short title of an error code ("Not valid", "Not allowed"). */
export function errorTitle(code: ErrorCode): string {
  return CODE_TITLES[code];
}

/** Anything thrown, as an ApiError (a bridge rejection is read for its resolver error). */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  return errorFromBridge(e);
}

/** An error in plain words: its title, the message, and the field at fault by its label. */
export interface PlainError {
  code: ErrorCode;
  title: string;
  message: string;
  /** The field at fault, by its path (`rationale`, `items[3].id`). */
  field?: string;
  /** The field's label in the form that sent it, e.g. "Rationale". */
  fieldLabel?: string;
}

/**
 * Describes an error for people. `labels` names the form's fields (path ->
 * label); a field it does not name is labelled by `fallbackLabel` (the
 * shared field names of lib/labels.ts, passed in so this file stays small).
 */
export function describeError(
  e: unknown,
  labels: Readonly<Record<string, string>> = {},
  fallbackLabel: (field: string) => string = (f) => f,
): PlainError {
  const err = toApiError(e);
  const out: PlainError = { code: err.code, title: errorTitle(err.code), message: err.message };
  if (err.field) {
    out.field = err.field;
    out.fieldLabel = labels[err.field] ?? fallbackLabel(err.field);
  }
  return out;
}
