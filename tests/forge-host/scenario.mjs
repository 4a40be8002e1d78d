// What the Forge runner needs of the scenario format (tests/scenarios/README.md)
// to execute steps: interpolation, `save`, paths and times. The Rust side
// (crates/aigis-host/tests/scenarios/expect.rs) has the same; it alone judges
// outcomes (`expect`, normalisation, the committed transcripts).

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

/** Keeps values of a step's outcome as variables (`save`); returns why a value could not be kept. */
export function applySaves(step, out, vars) {
  const failures = [];
  if (typeof step.save === 'string' && step.do === 'fileRequest') {
    vars[step.save] = out.id;
    vars[`${step.save}.key`] = out.key;
  } else if (step.save && typeof step.save === 'object' && !Array.isArray(step.save)) {
    for (const [name, p] of Object.entries(step.save)) {
      const v = atPath(out, typeof p === 'string' ? p : '');
      if (v === undefined) failures.push(`nothing at ${p} to save`);
      else vars[name] = v;
    }
  }
  return failures;
}
