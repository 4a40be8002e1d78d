// The aigis:forge WIT imports (wit/*.wit) on the real Forge SDKs.
//
// jco's representation: record fields are camelCase; `option` is undefined or
// the value; variants and results are `{ tag, val }`; `list<tuple<a, b>>` is
// an array of pairs; u64/s64 are BigInt. An `err` result is returned by
// throwing an object whose `payload` is the error variant (ComponentError).
// Every SDK failure is caught and mapped to the interface's error variant, so
// no JavaScript exception ever traps the component.

import api, { route } from '@forge/api';
import { kvs, WhereConditions, FilterConditions, Filter, Sort } from '@forge/kvs';
import { Queue } from '@forge/events';
import { remainingMillis } from './invocation.js';

/** An `err` result for jco: thrown, carrying the WIT error variant as `payload`. */
export class ComponentError extends Error {
  constructor(payload) {
    super(`${payload.tag}${payload.val === undefined ? '' : `: ${payload.val}`}`);
    this.name = 'ComponentError';
    this.payload = payload;
  }
}

const err = (tag, val) => new ComponentError(val === undefined ? { tag } : { tag, val: String(val) });
const message = (e) => (e && typeof e === 'object' && 'message' in e ? String(e.message) : String(e));

// ---- storage (@forge/kvs) --------------------------------------------------

/**
 * Maps a @forge/kvs failure (ForgeKvsAPIError: `code`, `responseDetails.status`)
 * to `storage-error`. `op` is 'set-new' for a FAIL_IF_EXISTS set and
 * 'transact' for a transaction, where a 409 means the key exists or a
 * condition failed.
 */
function storageError(e, op) {
  if (e instanceof ComponentError) return e;
  const code = String((e && e.code) || '').toUpperCase();
  const status = e && e.responseDetails ? e.responseDetails.status : undefined;
  const text = message(e);
  if (op === 'set-new' && (/EXISTS|CONFLICT/.test(code) || status === 409)) return err('key-exists');
  if (op === 'transact' && (/CONDITION|CONFLICT/.test(code) || status === 409)) return err('condition-failed');
  if (/CURSOR/.test(code)) return err('invalid-cursor');
  if (/ENTITY|INDEX|SCHEMA/.test(code)) return err('unknown-entity', text);
  if (/TRANSACTION|DUPLICATE|TOO_MANY/.test(code)) return err('invalid-transaction', text);
  if (/KEY/.test(code)) return err('invalid-key', text);
  if (/VALUE|SIZE|PAYLOAD|TOO_LARGE/.test(code) || status === 413) return err('invalid-value', text);
  return err('backend', code ? `${code}: ${text}` : text);
}

function parseJson(text, what) {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw err('invalid-value', `${what} is not JSON: ${message(e)}`);
  }
}

const toJson = (value) => (value === undefined ? undefined : JSON.stringify(value));

const page = (r) => ({
  items: (r.results || []).map(({ key, value }) => [key, JSON.stringify(value)]),
  nextCursor: r.nextCursor || undefined,
});

const FILTERS = {
  'equal-to': (v) => FilterConditions.equalTo(v),
  'not-equal-to': (v) => FilterConditions.notEqualTo(v),
  exists: () => FilterConditions.exists(),
  'not-exists': () => FilterConditions.notExists(),
  'greater-than': (v) => FilterConditions.greaterThan(v),
  'greater-than-equal-to': (v) => FilterConditions.greaterThanEqualTo(v),
  'less-than': (v) => FilterConditions.lessThan(v),
  'less-than-equal-to': (v) => FilterConditions.lessThanEqualTo(v),
  'begins-with': (v) => FilterConditions.beginsWith(v),
  contains: (v) => FilterConditions.contains(v),
  'not-contains': (v) => FilterConditions.notContains(v),
};

/** `list<condition>` as `new Filter().and(...).and(...)`, or undefined when empty. */
function filterOf(conditions) {
  let f;
  for (const c of conditions) {
    const clause = FILTERS[c.op](c.value === undefined ? undefined : parseJson(c.value, `condition ${c.attribute}`));
    f = (f || new Filter()).and(c.attribute, clause);
  }
  return f;
}

function whereOf(range) {
  const v = range.val;
  switch (range.tag) {
    case 'equal-to':
      return WhereConditions.equalTo(parseJson(v, 'range'));
    case 'begins-with':
      return WhereConditions.beginsWith(v);
    case 'between':
      return WhereConditions.between(parseJson(v[0], 'range'), parseJson(v[1], 'range'));
    case 'greater-than':
      return WhereConditions.greaterThan(parseJson(v, 'range'));
    case 'greater-than-equal-to':
      return WhereConditions.greaterThanEqualTo(parseJson(v, 'range'));
    case 'less-than':
      return WhereConditions.lessThan(parseJson(v, 'range'));
    case 'less-than-equal-to':
      return WhereConditions.lessThanEqualTo(parseJson(v, 'range'));
    default:
      throw err('backend', `unknown range condition ${range.tag}`);
  }
}

const clampLimit = (n) => Math.min(100, Math.max(1, Number(n) || 1));

export const storage = {
  async get(key) {
    try {
      return toJson(await kvs.get(key));
    } catch (e) {
      throw storageError(e);
    }
  },
  async set(key, value, options) {
    const v = parseJson(value, 'value');
    try {
      await kvs.set(key, v, { keyPolicy: options.failIfExists ? 'FAIL_IF_EXISTS' : 'OVERRIDE' });
    } catch (e) {
      throw storageError(e, options.failIfExists ? 'set-new' : 'set');
    }
  },
  async delete(key) {
    try {
      await kvs.delete(key);
    } catch (e) {
      throw storageError(e);
    }
  },
  async queryPrefix(prefix, cursor, limit) {
    try {
      let q = kvs.query();
      if (prefix !== '') q = q.where('key', WhereConditions.beginsWith(prefix));
      if (cursor !== undefined) q = q.cursor(cursor);
      return page(await q.limit(clampLimit(limit)).getMany());
    } catch (e) {
      throw storageError(e);
    }
  },
  async entityGet(entity, key) {
    try {
      return toJson(await kvs.entity(entity).get(key));
    } catch (e) {
      throw storageError(e);
    }
  },
  async entitySet(entity, key, value) {
    const v = parseJson(value, 'value');
    try {
      await kvs.entity(entity).set(key, v);
    } catch (e) {
      throw storageError(e);
    }
  },
  async entityDelete(entity, key) {
    try {
      await kvs.entity(entity).delete(key);
    } catch (e) {
      throw storageError(e);
    }
  },
  async entityQuery(query) {
    try {
      let q = kvs
        .entity(query.entity)
        .query()
        .index(query.index, query.partition.length ? { partition: query.partition.map((p) => parseJson(p, 'partition')) } : undefined);
      if (query.range !== undefined) q = q.where(whereOf(query.range));
      const f = filterOf(query.filters);
      if (f) q = q.filters(f);
      q = q.sort(query.order === 'desc' ? Sort.DESC : Sort.ASC);
      if (query.cursor !== undefined) q = q.cursor(query.cursor);
      return page(await q.limit(clampLimit(query.limit)).getMany());
    } catch (e) {
      throw storageError(e);
    }
  },
  async transact(ops) {
    try {
      let t = kvs.transact();
      for (const op of ops) {
        const o = op.val;
        const entity = o.entity === undefined ? undefined : { entityName: o.entity, conditions: filterOf(o.conditions) };
        if (entity && entity.conditions === undefined) delete entity.conditions;
        if (entity === undefined && o.conditions.length) {
          throw err('invalid-transaction', `conditions on plain key ${o.key} need an entity`);
        }
        if (op.tag === 'set') t = t.set(o.key, parseJson(o.value, 'value'), entity);
        else if (op.tag === 'delete') t = t.delete(o.key, entity);
        else if (op.tag === 'check') {
          if (!entity || !entity.conditions) throw err('invalid-transaction', `check on ${o.key} needs an entity and conditions`);
          t = t.check(o.key, entity);
        } else throw err('invalid-transaction', `unknown operation ${op.tag}`);
      }
      await t.execute();
    } catch (e) {
      throw storageError(e, 'transact');
    }
  },
};

// ---- secrets (@forge/kvs secret storage) -------------------------------------

const secretError = (e) => {
  if (e instanceof ComponentError) return e;
  const code = String((e && e.code) || '').toUpperCase();
  return /KEY/.test(code) ? err('invalid-key', message(e)) : err('backend', code ? `${code}: ${message(e)}` : message(e));
};

export const secrets = {
  async get(key) {
    try {
      const v = await kvs.getSecret(key);
      return v === undefined || v === null ? undefined : String(v);
    } catch (e) {
      throw secretError(e);
    }
  },
  async set(key, value) {
    try {
      await kvs.setSecret(key, value);
    } catch (e) {
      throw secretError(e);
    }
  },
  async delete(key) {
    try {
      await kvs.deleteSecret(key);
    } catch (e) {
      throw secretError(e);
    }
  },
};

// ---- jira (@forge/api requestJira) -----------------------------------------

const headersOf = (h) => {
  const out = [];
  if (h && typeof h.forEach === 'function') h.forEach((value, name) => out.push([name, String(value)]));
  return out;
};

const respond = async (res) => ({ status: res.status, headers: headersOf(res.headers), body: await res.text() });

/**
 * The Jira REST endpoints Aigis calls (crates/aigis-app/src/jira.rs), each as
 * one `requestJira` call with a literal `route` template and a literal method.
 * Why a table rather than one `assumeTrustedRoute(path)` call: @forge/lint
 * reads the path and method of every `requestJira` call site and checks that
 * manifest.yml's scopes cover the endpoint in the Jira OpenAPI document; a
 * path it cannot read is a call it cannot check. Path parameters stay
 * `route` parameters (already percent-encoded by the app; `route` refuses
 * `/`, `?`, `#` and `..` in them), query strings are URLSearchParams.
 * A path outside the table is refused as `not-allowed`: a new endpoint
 * needs a line here, which makes lint check its scope.
 */
const JIRA = [
  {
    method: 'GET',
    path: /^\/rest\/api\/3\/issue\/([^/]+)\/properties\/([^/]+)$/,
    call: (as, [issue, key], _q, init) => as.requestJira(route`/rest/api/3/issue/${issue}/properties/${key}`, { method: 'GET', headers: init.headers }),
  },
  {
    method: 'GET',
    path: /^\/rest\/api\/3\/issue\/([^/]+)\/comment$/,
    call: (as, [issue], q, init) => as.requestJira(route`/rest/api/3/issue/${issue}/comment?${q}`, { method: 'GET', headers: init.headers }),
  },
  {
    method: 'POST',
    path: /^\/rest\/api\/3\/issue\/([^/]+)\/comment$/,
    call: (as, [issue], _q, init) => as.requestJira(route`/rest/api/3/issue/${issue}/comment`, { method: 'POST', headers: init.headers, body: init.body }),
  },
  {
    method: 'GET',
    path: /^\/rest\/api\/3\/issue\/([^/]+)\/transitions$/,
    call: (as, [issue], _q, init) => as.requestJira(route`/rest/api/3/issue/${issue}/transitions`, { method: 'GET', headers: init.headers }),
  },
  {
    method: 'POST',
    path: /^\/rest\/api\/3\/issue\/([^/]+)\/transitions$/,
    call: (as, [issue], _q, init) => as.requestJira(route`/rest/api/3/issue/${issue}/transitions`, { method: 'POST', headers: init.headers, body: init.body }),
  },
  {
    method: 'GET',
    path: /^\/rest\/api\/3\/issue\/([^/]+)$/,
    call: (as, [issue], q, init) => as.requestJira(route`/rest/api/3/issue/${issue}?${q}`, { method: 'GET', headers: init.headers }),
  },
  {
    method: 'POST',
    path: /^\/rest\/api\/3\/issue$/,
    call: (as, _p, _q, init) => as.requestJira(route`/rest/api/3/issue`, { method: 'POST', headers: init.headers, body: init.body }),
  },
  {
    method: 'GET',
    path: /^\/rest\/api\/3\/user\/groups$/,
    call: (as, _p, q, init) => as.requestJira(route`/rest/api/3/user/groups?${q}`, { method: 'GET', headers: init.headers }),
  },
  {
    method: 'PUT',
    path: /^\/rest\/api\/3\/issue\/([^/]+)\/properties\/([^/]+)$/,
    call: (as, [issue, key], _q, init) => as.requestJira(route`/rest/api/3/issue/${issue}/properties/${key}`, { method: 'PUT', headers: init.headers, body: init.body }),
  },
  {
    method: 'POST',
    path: /^\/rest\/api\/3\/issueLink$/,
    call: (as, _p, _q, init) => as.requestJira(route`/rest/api/3/issueLink`, { method: 'POST', headers: init.headers, body: init.body }),
  },
  {
    method: 'GET',
    path: /^\/rest\/api\/3\/user$/,
    call: (as, _p, q, init) => as.requestJira(route`/rest/api/3/user?${q}`, { method: 'GET', headers: init.headers }),
  },
  {
    method: 'GET',
    path: /^\/rest\/api\/3\/project\/([^/]+)\/role\/([^/]+)$/,
    call: (as, [project, id], _q, init) => as.requestJira(route`/rest/api/3/project/${project}/role/${id}`, { method: 'GET', headers: init.headers }),
  },
  {
    method: 'GET',
    path: /^\/rest\/api\/3\/search\/jql$/,
    call: (as, _p, q, init) => as.requestJira(route`/rest/api/3/search/jql?${q}`, { method: 'GET', headers: init.headers }),
  },
  // The module resolvers' reads (issue 10): names in bulk, the admin pickers, the portal's request type.
  {
    method: 'GET',
    path: /^\/rest\/api\/3\/user\/bulk$/,
    call: (as, _p, q, init) => as.requestJira(route`/rest/api/3/user/bulk?${q}`, { method: 'GET', headers: init.headers }),
  },
  {
    method: 'GET',
    path: /^\/rest\/api\/3\/user\/search$/,
    call: (as, _p, q, init) => as.requestJira(route`/rest/api/3/user/search?${q}`, { method: 'GET', headers: init.headers }),
  },
  {
    method: 'GET',
    path: /^\/rest\/api\/3\/groups\/picker$/,
    call: (as, _p, q, init) => as.requestJira(route`/rest/api/3/groups/picker?${q}`, { method: 'GET', headers: init.headers }),
  },
  {
    method: 'GET',
    path: /^\/rest\/api\/3\/project\/([^/]+)\/role$/,
    call: (as, [project], _q, init) => as.requestJira(route`/rest/api/3/project/${project}/role`, { method: 'GET', headers: init.headers }),
  },
  {
    method: 'GET',
    path: /^\/rest\/api\/3\/project\/search$/,
    call: (as, _p, q, init) => as.requestJira(route`/rest/api/3/project/search?${q}`, { method: 'GET', headers: init.headers }),
  },
  {
    method: 'GET',
    path: /^\/rest\/servicedeskapi\/servicedesk$/,
    call: (as, _p, q, init) => as.requestJira(route`/rest/servicedeskapi/servicedesk?${q}`, { method: 'GET', headers: init.headers }),
  },
  {
    method: 'GET',
    path: /^\/rest\/servicedeskapi\/servicedesk\/([^/]+)$/,
    call: (as, [sd], _q, init) => as.requestJira(route`/rest/servicedeskapi/servicedesk/${sd}`, { method: 'GET', headers: init.headers }),
  },
  {
    method: 'GET',
    path: /^\/rest\/servicedeskapi\/servicedesk\/([^/]+)\/requesttype$/,
    call: (as, [sd], q, init) => as.requestJira(route`/rest/servicedeskapi/servicedesk/${sd}/requesttype?${q}`, { method: 'GET', headers: init.headers }),
  },
  {
    method: 'GET',
    path: /^\/rest\/servicedeskapi\/servicedesk\/([^/]+)\/requesttype\/([^/]+)$/,
    call: (as, [sd, rt], _q, init) =>
      as.requestJira(route`/rest/servicedeskapi/servicedesk/${sd}/requesttype/${rt}`, { method: 'GET', headers: init.headers }),
  },
  {
    method: 'GET',
    path: /^\/rest\/api\/3\/mypermissions$/,
    call: (as, _p, q, init) => as.requestJira(route`/rest/api/3/mypermissions?${q}`, { method: 'GET', headers: init.headers }),
  },
];

export const jira = {
  async requestJira(request) {
    const [pathPart, query = ''] = request.path.split(/\?(.*)/s);
    const method = request.method.toUpperCase();
    let entry;
    let params;
    for (const e of JIRA) {
      const m = e.method === method && e.path.exec(pathPart);
      if (m) {
        entry = e;
        params = m.slice(1);
        break;
      }
    }
    if (!entry) throw err('not-allowed', `${method} ${pathPart} is not a Jira REST call Aigis makes`);
    let as;
    try {
      as = request.principal === 'user' ? api.asUser() : api.asApp();
    } catch (e) {
      throw err('not-allowed', message(e));
    }
    const init = { headers: Object.fromEntries(request.headers), body: request.body };
    let res;
    try {
      res = await entry.call(as, params, new URLSearchParams(query), init);
    } catch (e) {
      const name = e && e.name ? String(e.name) : '';
      if (/NotAllowed|NeedsAuthentication|path manipulation/i.test(`${name} ${message(e)}`)) throw err('not-allowed', message(e));
      throw err('network', message(e));
    }
    try {
      return await respond(res);
    } catch (e) {
      throw err('network', message(e));
    }
  },
};

// ---- egress (@forge/api fetch) -----------------------------------------------

export const egress = {
  async fetch(request) {
    try {
      new URL(request.url);
    } catch (e) {
      throw err('invalid-url', `${request.url}: ${message(e)}`);
    }
    let res;
    try {
      res = await api.fetch(request.url, { method: request.method, headers: Object.fromEntries(request.headers), body: request.body });
    } catch (e) {
      const name = e && e.name ? String(e.name) : '';
      if (/NotAllowed/i.test(`${name} ${message(e)}`)) throw err('host-not-allowed', message(e));
      throw err('network', message(e));
    }
    try {
      return await respond(res);
    } catch (e) {
      throw err('network', message(e));
    }
  },
};

// ---- queue (@forge/events) ---------------------------------------------------

export const queue = {
  async push(queueKey, events, delaySeconds) {
    let bodies;
    try {
      bodies = events.map((text) => JSON.parse(text));
    } catch (e) {
      throw err('invalid-push', `event is not JSON: ${message(e)}`);
    }
    try {
      const delay = delaySeconds > 0 ? { delayInSeconds: delaySeconds } : {};
      const result = await new Queue({ key: queueKey }).push(bodies.map((body) => ({ body, ...delay })));
      return String(result.jobId);
    } catch (e) {
      const name = e && e.name ? String(e.name) : '';
      if (/InvalidPushSettings|InvalidQueueName|InvalidPayload|TooManyEvents|PayloadTooBig|NoEventsToPush/.test(name)) {
        throw err('invalid-push', message(e));
      }
      throw err('backend', message(e));
    }
  },
};

// ---- runtime -------------------------------------------------------------------

const LOG = { debug: console.debug, info: console.info, warn: console.warn, error: console.error };

export const runtime = {
  nowMillis: () => BigInt(Date.now()),
  log: (level, text) => (LOG[level] || console.log)(text),
  remainingMillis: () => BigInt(remainingMillis()),
};
