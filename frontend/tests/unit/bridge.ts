// The test side of tests/setup/register.mjs: answer @forge/bridge's calls.

export interface BridgeCall {
  name: string;
  payload: unknown;
}

type Handler = (name: string, payload: unknown) => unknown;

interface TestBridge {
  calls: BridgeCall[];
  set(fn: Handler): void;
}

function bridge(): TestBridge {
  const b = (globalThis as unknown as { __aigisTestBridge?: TestBridge }).__aigisTestBridge;
  if (!b) throw new Error('tests/setup/register.mjs was not preloaded');
  return b;
}

/** Answers every bridge call with `fn` (and forgets the calls so far). */
export function setBridge(fn: Handler): void {
  bridge().set(fn);
}

/** The bridge calls made since the last setBridge. */
export function bridgeCalls(): BridgeCall[] {
  return bridge().calls;
}

/** A handler answering `invoke` by function key, `getContext` with `context`, the rest with `other`. */
export function fakeForge(opts: {
  context?: unknown;
  resolvers?: Record<string, (payload: Record<string, unknown>) => unknown>;
  other?: Handler;
}): Handler {
  return (name, payload) => {
    if (name === 'getContext') return opts.context ?? { moduleKey: 'test', extension: {} };
    if (name === 'invoke') {
      const { functionKey, payload: args } = payload as { functionKey: string; payload: Record<string, unknown> };
      const fn = opts.resolvers?.[functionKey];
      if (!fn) throw Object.assign(new Error(`no fake for ${functionKey}`), { status: 404 });
      return fn(args ?? {});
    }
    return opts.other ? opts.other(name, payload) : true;
  };
}
