// The scenario semantics shared with crates/aigis-host/tests/scenarios.rs:
// interpolation, matchers, expectations, normalisation and canonical JSON.
// Change one, change the other: the two transcripts must be byte-identical.

/** Keys whose values differ between hosts by design (random MAC key, cloud id). */
export const VOLATILE_KEYS = new Set(['cloudId', 'entryHash', 'prevHash', 'entryMac', 'keyId', 'hash', 'mac',
  // Signed checkpoints and packs: keys and origins are random per site.
  'root', 'rootHash', 'leafHash', 'proof', 'note', 'checkpoint', 'origin', 'verifierKey', 'previousKeyId', 'contentBase64', 'sha256', 'bytes', 'nodes',
]);

/** Canonical JSON: object keys sorted (by UTF-16 code unit, as serde's BTreeMap for ASCII keys), no spaces. */
export function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v).sort(cmpCodePoints);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v === undefined ? null : v);
}

function cmpCodePoints(a, b) {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0) - y[i].codePointAt(0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

export function normalise(v, site) {
  if (Array.isArray(v)) return v.map((x) => normalise(x, site));
  if (v && typeof v === 'object') {
    const out = {};
    for (const [k, x] of Object.entries(v)) {
      if (VOLATILE_KEYS.has(k) && x !== null) out[k] = '<volatile>';
      else if (k === 'nextCursor' && x !== null && x !== undefined) out[k] = '<cursor>';
      else out[k] = normalise(x, site);
    }
    return out;
  }
  if (typeof v === 'string') return v.split(site).join('<site>');
  return v;
}

/** `a.b.0.c` into a value; undefined when absent. */
export function atPath(v, path) {
  if (path === '') return v;
  let cur = v;
  for (const seg of path.split('.')) {
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(seg)) return undefined;
      cur = cur[Number(seg)];
    } else if (cur && typeof cur === 'object') {
      cur = Object.prototype.hasOwnProperty.call(cur, seg) ? cur[seg] : undefined;
    } else return undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

const UNITS = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `3d`, `1d12h`, `+90m`, `-2h` (aigis_host::clock::parse_duration). */
export function parseDuration(text) {
  let t = text.trim();
  let sign = 1;
  if (t.startsWith('-')) {
    sign = -1;
    t = t.slice(1);
  } else if (t.startsWith('+')) t = t.slice(1);
  if (!t) throw new Error(`empty duration \`${text}\``);
  let total = 0;
  const re = /(\d+)([a-z]*)/y;
  let m;
  let pos = 0;
  while (pos < t.length) {
    re.lastIndex = pos;
    m = re.exec(t);
    if (!m) throw new Error(`\`${text}\`: expected a number at \`${t.slice(pos)}\``);
    const mult = UNITS[m[2]];
    if (!mult) throw new Error(`\`${text}\`: unknown or missing unit \`${m[2]}\``);
    total += Number(m[1]) * mult;
    pos = re.lastIndex;
  }
  return sign * total;
}

/** `+1d` relative to `now`, or an RFC 3339 time. */
export function parseAt(text, now) {
  if (text.startsWith('+') || text.startsWith('-')) return now + parseDuration(text);
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`\`${text}\` is not an RFC 3339 time`);
  return ms;
}

/** aigis_core::adf::plain_text. */
export function plainText(doc) {
  let out = '';
  const walk = (v) => {
    if (!v || typeof v !== 'object') return;
    if (typeof v.text === 'string') out += v.text;
    if (Array.isArray(v.content)) {
      for (const c of v.content) walk(c);
      if (v.type === 'paragraph') out += '\n';
    }
  };
  walk(doc);
  return out;
}

const show = (a) => (a === undefined ? '<absent>' : JSON.stringify(a));
const eq = (a, b) => a !== undefined && canonical(a) === canonical(b);

/** Does `actual` meet `matcher`? Returns undefined, or why not. */
export function matches(actual, matcher, start) {
  if (matcher && typeof matcher === 'object' && !Array.isArray(matcher)) {
    const keys = Object.keys(matcher);
    if (keys.length === 1 && keys[0].startsWith('$')) {
      const op = keys[0];
      const arg = matcher[op];
      const argS = typeof arg === 'string' ? arg : '';
      const texts = () => (Array.isArray(actual) ? actual.filter((t) => typeof t === 'string') : []);
      let ok;
      switch (op) {
        case '$len': {
          const len = Array.isArray(actual)
            ? actual.length
            : typeof actual === 'string'
              ? [...actual].length
              : actual && typeof actual === 'object'
                ? Object.keys(actual).length
                : undefined;
          ok = len !== undefined && len === arg;
          break;
        }
        case '$exists':
          ok = (actual !== undefined) === (typeof arg === 'boolean' ? arg : true);
          break;
        case '$ne':
          ok = !eq(actual, arg);
          break;
        case '$contains':
          ok = typeof actual === 'string' ? actual.includes(argS) : Array.isArray(actual) ? actual.some((x) => eq(x, arg)) : false;
          break;
        case '$startsWith':
          ok = typeof actual === 'string' && actual.startsWith(argS);
          break;
        case '$someStartsWith':
          ok = texts().some((t) => t.startsWith(argS));
          break;
        case '$someContains':
          ok = texts().some((t) => t.includes(argS));
          break;
        case '$time':
          ok = Number.isInteger(actual) && actual === parseAt(argS, start);
          break;
        default:
          return `unknown matcher ${op}`;
      }
      return ok ? undefined : `${show(actual)} does not meet ${JSON.stringify(matcher)}`;
    }
  }
  return eq(actual, matcher) ? undefined : `${show(actual)} is not ${JSON.stringify(matcher)}`;
}

/** Every failed expectation of one step. */
export function check(expect, ok, out, start) {
  const failures = [];
  if (expect === undefined) {
    if (!ok) failures.push(`failed: ${JSON.stringify(out)}`);
    return failures;
  }
  if (!expect || typeof expect !== 'object' || Array.isArray(expect)) {
    const why = matches(out, expect, start);
    if (why) failures.push(why);
    return failures;
  }
  const wantOk = 'ok' in expect ? expect.ok !== false : !('error' in expect);
  if (ok !== wantOk) failures.push(`ok is ${ok}, expected ${wantOk}: ${JSON.stringify(out)}`);
  if ('error' in expect && !(out && out.code === expect.error)) {
    failures.push(`error code ${show(out && out.code)}, expected ${JSON.stringify(expect.error)}`);
  }
  for (const [path, matcher] of Object.entries(expect.match || {})) {
    const why = matches(atPath(out, path), matcher, start);
    if (why) failures.push(`${path}: ${why}`);
  }
  return failures;
}

/** Replaces `${var}` in every string; a string that is exactly `${var}` takes the variable's JSON value. */
export function interpolate(v, vars) {
  if (typeof v === 'string') {
    const whole = /^\$\{([^}]*)\}$/.exec(v);
    if (whole && Object.prototype.hasOwnProperty.call(vars, whole[1])) return vars[whole[1]];
    let out = v;
    for (const [k, val] of Object.entries(vars)) out = out.split(`\${${k}}`).join(typeof val === 'string' ? val : JSON.stringify(val));
    return out;
  }
  if (Array.isArray(v)) return v.map((x) => interpolate(x, vars));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, interpolate(x, vars)]));
  return v;
}

/** The transcript line of one step. */
export function record(i, step, ok, out, site) {
  const r = { step: i, do: step.do };
  for (const k of ['as', 'key', 'method', 'path', 'entity', 'issue']) if (k in step) r[k] = step[k];
  r.ok = ok;
  r.out = out;
  return canonical(normalise(r, site));
}
