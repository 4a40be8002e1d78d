// Per-invocation state shared by the entry files and the runtime imports, and
// the one-at-a-time gate around each component instance.
//
// A component instance is not re-entrant: while one call waits on a Forge
// Promise (JSPI suspends the wasm stack), a second call into the same
// instance must wait its turn. Forge normally runs one invocation per
// runtime at a time; the gate makes that an invariant rather than a hope.

import { HANDLERS } from './timeouts.js';

let current = { startedAt: Date.now(), timeoutMs: 25_000 };

/** Milliseconds left before the running invocation's time limit. */
export function remainingMillis() {
  return Math.max(0, current.startedAt + current.timeoutMs - Date.now());
}

/** A gate that runs `fn` calls one after another. */
export function serial() {
  let tail = Promise.resolve();
  return (fn) => {
    const run = tail.then(fn, fn);
    tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  };
}

/**
 * Runs `fn` as one invocation of the function whose handler is `handler`
 * (`<component>.<export>` as manifest.yml names it): the deadline seen by
 * `runtime.remaining-millis` starts now and lasts the function's timeout.
 */
export async function invocation(handler, fn) {
  const def = HANDLERS[handler];
  if (!def) throw new Error(`Aigis: no function in manifest.yml has handler ${handler}`);
  current = { startedAt: Date.now(), timeoutMs: def.timeoutSeconds * 1000 };
  return fn();
}

/** Turns a component's `err` JSON text into a thrown Error whose message is that JSON. */
export function componentFailure(e) {
  const payload = e && typeof e === 'object' && 'payload' in e ? e.payload : undefined;
  if (typeof payload !== 'string') throw e;
  const err = new Error(payload);
  err.name = 'AigisError';
  try {
    err.aigis = JSON.parse(payload);
  } catch {
    err.aigis = { code: 'internal', message: payload };
  }
  return err;
}
