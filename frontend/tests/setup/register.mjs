// Preloaded by `npm test` (node --import) before any test file: a DOM
// (happy-dom) for component tests, and the one thing Forge's host gives a
// Custom UI iframe, `globalThis.__bridge.callBridge`, which @forge/bridge
// reads when it is first imported. Tests answer the bridge's calls with
// `setBridge(handler)` from tests/unit/bridge.ts.
import { GlobalRegistrator } from '@happy-dom/global-registrator';

GlobalRegistrator.register({ url: 'https://aigis.example/' });
globalThis.IS_REACT_ACT_ENVIRONMENT = true;

const calls = [];
let handler = () => undefined;
globalThis.__aigisTestBridge = {
  calls,
  set(fn) {
    handler = fn;
    calls.length = 0;
  },
};
globalThis.__bridge = {
  callBridge: async (name, payload) => {
    calls.push({ name, payload });
    return handler(name, payload);
  },
};

