// An in-memory Forge hosted-storage backend: what the real `@forge/kvs`
// client talks to. The client (the real package, unchanged) sends
// `POST /api/v1/<operation>` with a JSON body through the Forge runtime's
// `__forge_fetch__`; this backend answers as Forge's storage service is
// documented to, including its refusals (`{ code, message }` bodies, which the
// client raises as ForgeKvsAPIError):
//
// - keys: 1..500 characters matching /^(?!\s+$)[a-zA-Z0-9:._\s-#]+$/
//   (KEY_TOO_SHORT / EMPTY_KEY, KEY_TOO_LONG, INVALID_KEY);
// - values: JSON of at most 240 KiB (MAX_SIZE) and depth 32 (MAX_DEPTH);
//   entity values are objects whose declared attributes have their declared
//   types (INVALID_ENTITY_VALUE); entities and indexes are those manifest.yml
//   declares;
// - set with keyPolicy FAIL_IF_EXISTS on a present key: 409 KEY_CONFLICT;
// - get of an absent key: 404 KEY_NOT_FOUND (the client answers undefined);
// - queries: limit 1..100 (COMPLEX_QUERY_PAGE_LIMIT_NOT_IN_RANGE), default 10,
//   pages with an opaque cursor while more items remain;
// - transactions: 1..25 operations, each (entity, key) once, conditions only on
//   entities; all or nothing; a failed condition is 409 CONDITIONAL_CHECK_FAILED.
//
// Ordering, condition and cursor semantics are those of
// crates/aigis-platform/src/limits.rs, so both hosts agree item for item.
// Codes the Forge documentation names are used as named; the others
// (transaction shape, cursor, unknown entity) are marked GUESSED below.

export const MAX_KEY_CHARS = 500;
export const MAX_VALUE_BYTES = 240 * 1024;
export const MAX_DEPTH = 32;
export const MAX_TXN_OPS = 25;
export const MAX_PAGE = 100;
export const DEFAULT_PAGE = 10;

const KEY_RE = /^(?!\s+$)[a-zA-Z0-9:._\s\-#]+$/;

export class KvsError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const bad = (code, message) => new KvsError(400, code, message);

export function validateKey(key, { entity = false } = {}) {
  if (typeof key !== 'string' || key.length === 0) {
    throw bad(entity ? 'EMPTY_KEY' : 'KEY_TOO_SHORT', 'key must not be empty');
  }
  const chars = [...key].length;
  if (chars > MAX_KEY_CHARS) throw bad('KEY_TOO_LONG', `key is ${chars} characters; the limit is ${MAX_KEY_CHARS}`);
  if (!KEY_RE.test(key)) throw bad('INVALID_KEY', `key ${JSON.stringify(key)} does not match ${KEY_RE}`);
}

function depth(v) {
  if (v === null || typeof v !== 'object') return 0;
  let d = 0;
  for (const c of Object.values(v)) d = Math.max(d, depth(c));
  return d + 1;
}

/** A value as stored: JSON text within the limits; returns a private copy. */
export function validateValue(value) {
  if (value === undefined) throw bad('INVALID_VALUE', 'value is missing');
  const text = JSON.stringify(value);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_VALUE_BYTES) throw bad('MAX_SIZE', `value is ${bytes} bytes; the limit is ${MAX_VALUE_BYTES}`);
  if (depth(value) > MAX_DEPTH) throw bad('MAX_DEPTH', `value is deeper than ${MAX_DEPTH}`);
  return JSON.parse(text);
}

// ---- value order and conditions (limits.rs) ----------------------------------

const kindRank = (v) =>
  v === null || v === undefined ? 0 : typeof v === 'boolean' ? 1 : typeof v === 'number' ? 2 : typeof v === 'string' ? 3 : Array.isArray(v) ? 4 : 5;

const cmpStr = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/** Forge's index order: numbers numerically, strings by code unit... as limits.rs::compare_values. */
export function compareValues(a, b) {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return cmpBytes(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return (a ? 1 : 0) - (b ? 1 : 0);
  const r = kindRank(a) - kindRank(b);
  return r !== 0 ? Math.sign(r) : cmpStr(JSON.stringify(a), JSON.stringify(b));
}

// Rust compares strings by UTF-8 bytes; JS `<` by UTF-16 code units. They
// differ only above the BMP; compare code points to agree with Rust.
function cmpBytes(a, b) {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0) - y[i].codePointAt(0);
    if (d !== 0) return Math.sign(d);
  }
  return Math.sign(x.length - y.length);
}

const sameKind = (a, b) => kindRank(a) === kindRank(b);
const deepEqual = (a, b) => JSON.stringify(canonicalize(a)) === JSON.stringify(canonicalize(b));
function canonicalize(v) {
  if (Array.isArray(v)) return v.map(canonicalize);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonicalize(v[k])]));
  return v;
}

function contains(h, n) {
  if (typeof h === 'string' && typeof n === 'string') return h.includes(n);
  if (Array.isArray(h)) return h.some((i) => deepEqual(i, n));
  return false;
}

/** One filter clause `{ property, condition, values }` against an entity (or undefined). */
export function conditionHolds(entity, clause) {
  const present = entity !== undefined && Object.prototype.hasOwnProperty.call(entity, clause.property);
  const a = present ? entity[clause.property] : undefined;
  const v = (clause.values || [])[0];
  switch (clause.condition) {
    case 'NOT_EXISTS':
      return !present;
    case 'EXISTS':
      return present;
    default:
      break;
  }
  if (!present || v === undefined) {
    return (clause.condition === 'NOT_EQUAL_TO' || clause.condition === 'NOT_CONTAINS') && entity !== undefined;
  }
  const c = compareValues(a, v);
  switch (clause.condition) {
    case 'EQUAL_TO':
      return c === 0 && sameKind(a, v);
    case 'NOT_EQUAL_TO':
      return !(c === 0 && sameKind(a, v));
    case 'GREATER_THAN':
      return sameKind(a, v) && c > 0;
    case 'GREATER_THAN_EQUAL_TO':
      return sameKind(a, v) && c >= 0;
    case 'LESS_THAN':
      return sameKind(a, v) && c < 0;
    case 'LESS_THAN_EQUAL_TO':
      return sameKind(a, v) && c <= 0;
    case 'BEGINS_WITH':
      return typeof a === 'string' && typeof v === 'string' && a.startsWith(v);
    case 'CONTAINS':
      return contains(a, v);
    case 'NOT_CONTAINS':
      return !contains(a, v);
    case 'BETWEEN': {
      const [lo, hi] = clause.values;
      return compareValues(a, lo) >= 0 && compareValues(a, hi) <= 0;
    }
    default:
      throw bad('INVALID_CONDITION', `unknown condition ${clause.condition}`);
  }
}

/** `{ and: [...] }` / `{ or: [...] }` (or undefined) against an entity. */
export function filterHolds(entity, filters) {
  if (!filters) return true;
  if (filters.and && filters.or) throw bad('INVALID_FILTER_OPERATORS_COMBINATION', 'filter operators "and" and "or" cannot be present at the same level');
  if (filters.and) return filters.and.every((c) => conditionHolds(entity, c));
  if (filters.or) return filters.or.some((c) => conditionHolds(entity, c));
  throw bad('EMPTY_FILTER_OPERATOR', 'filter operators "and" and "or" cannot be empty');
}

/** A range condition `{ condition, values }` on an index's range value. */
export function rangeHolds(value, range) {
  const [x, y] = range.values || [];
  const c = (w) => compareValues(value, w);
  switch (range.condition) {
    case 'EQUAL_TO':
      return c(x) === 0;
    case 'BEGINS_WITH':
      return typeof value === 'string' && value.startsWith(x);
    case 'BETWEEN':
      if (range.values.length < 2) throw bad('INSUFFICIENT_FILTER_VALUES', 'between needs two values');
      return c(x) >= 0 && c(y) <= 0;
    case 'GREATER_THAN':
      return c(x) > 0;
    case 'GREATER_THAN_EQUAL_TO':
      return c(x) >= 0;
    case 'LESS_THAN':
      return c(x) < 0;
    case 'LESS_THAN_EQUAL_TO':
      return c(x) <= 0;
    default:
      throw bad('INVALID_CONDITION', `unknown range condition ${range.condition}`);
  }
}

// Cursors: hex of JSON [rangeValue, key], as limits.rs encodes them.
export const encodeCursor = (rangeValue, key) => Buffer.from(JSON.stringify([rangeValue ?? null, key])).toString('hex');

export function decodeCursor(cursor) {
  const invalid = () => bad('INVALID_CURSOR', 'the cursor did not come from this query'); // GUESSED code
  if (typeof cursor !== 'string' || cursor.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(cursor)) throw invalid();
  try {
    const v = JSON.parse(Buffer.from(cursor, 'hex').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[1] === 'string') return v;
  } catch {
    // fall through
  }
  throw invalid();
}

function pageLimit(limit) {
  if (limit === undefined || limit === null) return DEFAULT_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw bad('COMPLEX_QUERY_PAGE_LIMIT_NOT_IN_RANGE', `the page limit must be between 1 and ${MAX_PAGE}, not ${limit}`);
  }
  return limit;
}

// ---- the store -----------------------------------------------------------------

const TYPES = {
  string: (v) => typeof v === 'string',
  integer: (v) => Number.isInteger(v),
  float: (v) => typeof v === 'number',
  boolean: (v) => typeof v === 'boolean',
  any: () => true,
};

export class KvsBackend {
  /** `entities`: manifest.yml `app.storage.entities` (name, attributes, indexes). */
  constructor(entities = []) {
    this.schemas = new Map(entities.map((e) => [e.name, e]));
    this.kv = new Map();
    this.secrets = new Map();
    this.entities = new Map(); // name -> Map(key -> value)
    this.calls = 0;
  }

  schema(name) {
    const s = this.schemas.get(name);
    if (!s) throw bad('INVALID_ENTITY_TYPE', `entity ${JSON.stringify(name)} is not declared in manifest.yml`); // GUESSED code
    return s;
  }

  table(name) {
    this.schema(name);
    if (!this.entities.has(name)) this.entities.set(name, new Map());
    return this.entities.get(name);
  }

  validateEntityValue(name, value) {
    const v = validateValue(value);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw bad('INVALID_ENTITY_VALUE', 'an entity value must be a JSON object');
    const attrs = this.schema(name).attributes || {};
    for (const [attr, def] of Object.entries(attrs)) {
      if (v[attr] === undefined) continue;
      const ok = TYPES[def.type] || TYPES.any;
      if (!ok(v[attr])) throw bad('INVALID_ENTITY_VALUE', `attribute ${attr} of ${name} must be ${def.type}`);
    }
    return v;
  }

  /** Every stored value of an entity, by key (for the runner's `count` step). */
  entityValues(name) {
    return [...(this.entities.get(name) || new Map()).values()].map((v) => structuredClone(v));
  }

  // -- operations: each takes the request body and returns the response body --

  get({ key }) {
    validateKey(key);
    if (!this.kv.has(key)) throw new KvsError(404, 'KEY_NOT_FOUND', `key ${key} not found`);
    return { key, value: structuredClone(this.kv.get(key)) };
  }

  set({ key, value, options }) {
    validateKey(key);
    const v = validateValue(value);
    if (options && options.keyPolicy === 'FAIL_IF_EXISTS' && this.kv.has(key)) {
      throw new KvsError(409, 'KEY_CONFLICT', `key ${key} already exists`);
    }
    this.kv.set(key, v);
    return undefined;
  }

  delete({ key }) {
    validateKey(key);
    this.kv.delete(key);
    return undefined;
  }

  query({ limit, after, where }) {
    const n = pageLimit(limit);
    let prefix = '';
    for (const w of where || []) {
      if (w.property !== 'key' || w.condition !== 'BEGINS_WITH') throw bad('INVALID_WHERE', 'KVS queries support where(key, beginsWith)');
      prefix = String((w.values || [])[0] ?? '');
    }
    const last = after === undefined || after === null ? undefined : decodeCursor(after)[1];
    const keys = [...this.kv.keys()]
      .filter((k) => k.startsWith(prefix) && (last === undefined || cmpBytes(k, last) > 0))
      .sort(cmpBytes);
    const page = keys.slice(0, n);
    return {
      data: page.map((key) => ({ key, value: structuredClone(this.kv.get(key)) })),
      cursor: keys.length > n ? encodeCursor(null, page[page.length - 1]) : undefined,
    };
  }

  getSecret({ key }) {
    validateKey(key);
    if (!this.secrets.has(key)) throw new KvsError(404, 'KEY_NOT_FOUND', `secret ${key} not found`);
    return { key, value: this.secrets.get(key) };
  }

  setSecret({ key, value }) {
    validateKey(key);
    this.secrets.set(key, validateValue(value));
    return undefined;
  }

  deleteSecret({ key }) {
    validateKey(key);
    this.secrets.delete(key);
    return undefined;
  }

  getEntity({ entityName, key }) {
    const t = this.table(entityName);
    validateKey(key, { entity: true });
    if (!t.has(key)) throw new KvsError(404, 'KEY_NOT_FOUND', `${entityName} ${key} not found`);
    return { key, value: structuredClone(t.get(key)) };
  }

  setEntity({ entityName, key, value }) {
    const t = this.table(entityName);
    validateKey(key, { entity: true });
    t.set(key, this.validateEntityValue(entityName, value));
    return undefined;
  }

  deleteEntity({ entityName, key }) {
    const t = this.table(entityName);
    validateKey(key, { entity: true });
    t.delete(key);
    return undefined;
  }

  queryEntity({ entityName, indexName, partition, range, filters, sort, cursor, limit }) {
    const schema = this.schema(entityName);
    const index = (schema.indexes || []).find((i) => i.name === indexName);
    if (!index) throw bad('INVALID_ENTITY_INDEX', `index ${indexName} of ${entityName} is not declared in manifest.yml`);
    const n = pageLimit(limit);
    const rangeAttr = ((index.range || [])[0] && (index.range[0].name ?? index.range[0])) || undefined;
    const partAttrs = (index.partition || []).map((p) => p.name ?? p);
    const want = partition || [];
    const after = cursor === undefined || cursor === null ? undefined : decodeCursor(cursor);
    const desc = sort === 'DESC';
    const rows = [];
    for (const [key, v] of this.table(entityName)) {
      if (rangeAttr === undefined || !Object.prototype.hasOwnProperty.call(v, rangeAttr)) continue;
      const rv = v[rangeAttr];
      const inPartition = partAttrs.length === want.length && partAttrs.every((a, i) => v[a] !== undefined && deepEqual(v[a], want[i]));
      if (!inPartition) continue;
      if (range && !rangeHolds(rv, range)) continue;
      if (!filterHolds(v, filters)) continue;
      if (after) {
        const o = compareValues(rv, after[0]) || cmpBytes(key, after[1]);
        if (desc ? o >= 0 : o <= 0) continue;
      }
      rows.push({ rv, key, v });
    }
    rows.sort((a, b) => compareValues(a.rv, b.rv) || cmpBytes(a.key, b.key));
    if (desc) rows.reverse();
    const page = rows.slice(0, n);
    const lastRow = page[page.length - 1];
    return {
      data: page.map(({ key, v }) => ({ key, value: structuredClone(v) })),
      cursor: rows.length > n ? encodeCursor(lastRow.rv, lastRow.key) : undefined,
    };
  }

  transact({ set = [], delete: deletes = [], check = [] }) {
    const ops = [
      ...set.map((o) => ({ kind: 'set', ...o })),
      ...deletes.map((o) => ({ kind: 'delete', ...o })),
      ...check.map((o) => ({ kind: 'check', ...o })),
    ];
    // GUESSED codes for the transaction shape; the limits are documented.
    if (ops.length === 0) throw bad('INVALID_TRANSACTION', 'a transaction needs at least one operation');
    if (ops.length > MAX_TXN_OPS) throw bad('TOO_MANY_TRANSACTION_OPERATIONS', `${ops.length} operations; the limit is ${MAX_TXN_OPS}`);
    const seen = new Set();
    for (const op of ops) {
      validateKey(op.key, { entity: op.entityName !== undefined });
      const id = JSON.stringify([op.entityName ?? null, op.key]);
      if (seen.has(id)) throw bad('DUPLICATE_TRANSACTION_KEYS', `key ${op.key} appears twice in the transaction`);
      seen.add(id);
      if (op.entityName === undefined && op.conditions) throw bad('INVALID_TRANSACTION', 'conditions apply to custom entities only');
      if (op.entityName === undefined && op.kind === 'check') throw bad('INVALID_TRANSACTION', 'check applies to custom entities only');
      if (op.entityName !== undefined) this.schema(op.entityName);
      if (op.kind === 'set') op.stored = op.entityName === undefined ? validateValue(op.value) : this.validateEntityValue(op.entityName, op.value);
    }
    for (const op of ops) {
      if (op.entityName === undefined) continue;
      const stored = this.table(op.entityName).get(op.key);
      if ((op.kind === 'check' && stored === undefined) || !filterHolds(stored, op.conditions)) {
        throw new KvsError(409, 'CONDITIONAL_CHECK_FAILED', `a condition on ${op.entityName} ${op.key} did not hold; nothing was written`);
      }
    }
    for (const op of ops) {
      const target = op.entityName === undefined ? this.kv : this.table(op.entityName);
      if (op.kind === 'set') target.set(op.key, op.stored);
      else if (op.kind === 'delete') target.delete(op.key);
    }
    return undefined;
  }

  /** Serves one `/api/v1/...` call: `{ status, body }` (body undefined for no content). */
  handle(path, body) {
    this.calls += 1;
    const routes = {
      '/api/v1/get': 'get',
      '/api/v1/set': 'set',
      '/api/v1/delete': 'delete',
      '/api/v1/query': 'query',
      '/api/v1/secret/get': 'getSecret',
      '/api/v1/secret/set': 'setSecret',
      '/api/v1/secret/delete': 'deleteSecret',
      '/api/v1/entity/get': 'getEntity',
      '/api/v1/entity/set': 'setEntity',
      '/api/v1/entity/delete': 'deleteEntity',
      '/api/v1/entity/query': 'queryEntity',
      '/api/v1/transaction': 'transact',
    };
    const op = routes[path];
    try {
      if (!op) throw new KvsError(404, 'NOT_SUPPORTED', `${path} is not served by the conformance fake`);
      const out = this[op](body || {});
      return { status: out === undefined ? 204 : 200, body: out };
    } catch (e) {
      if (e instanceof KvsError) return { status: e.status, body: { code: e.code, message: e.message } };
      throw e;
    }
  }
}
