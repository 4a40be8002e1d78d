// Imported first by every entry file, so it runs before any component is
// instantiated: the transpiled components need WebAssembly JSPI
// (WebAssembly.Suspending / WebAssembly.promising) to wait on Forge's Promises.
//
// Node.js 24 (V8 13.6) implements JSPI but ships it behind
// --experimental-wasm-jspi (on by default from V8 13.7 / Node.js 25), and a
// Forge function cannot pass Node flags. So where the constructors are
// missing, the flag is turned on at run time; V8 then enables JSPI for every
// module compiled afterwards, but installs the two constructors only on
// contexts created afterwards, so they are taken from a fresh context.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const hasJspi = () => typeof WebAssembly.Suspending === 'function' && typeof WebAssembly.promising === 'function';

if (!hasJspi() && process.env.AIGIS_NO_JSPI_FLAG === undefined) {
  try {
    setFlagsFromString('--experimental-wasm-jspi');
    const fresh = runInNewContext('WebAssembly');
    if (typeof fresh.Suspending === 'function' && typeof fresh.promising === 'function') {
      for (const name of ['Suspending', 'promising', 'SuspendError']) {
        if (fresh[name] !== undefined) {
          Object.defineProperty(WebAssembly, name, { value: fresh[name], writable: true, configurable: true });
        }
      }
    }
  } catch {
    // Fall through to the check below.
  }
}

if (!hasJspi()) {
  throw new Error(
    'Aigis needs WebAssembly JSPI: run on Node.js 24 (Forge runtime nodejs24.x); ' +
      `this is Node.js ${process.version}`,
  );
}

export const JSPI = true;
