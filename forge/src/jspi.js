// Imported first by every entry file, so it runs before any component is
// instantiated: the transpiled components need WebAssembly JSPI
// (WebAssembly.Suspending / WebAssembly.promising) to wait on Forge's Promises.
//
// Node.js 24.22 (the Forge runtime nodejs24.x today, and the Node the build
// pins in package.json) has JSPI on by default, so no V8 flag is turned on
// here any more; an older runtime without it fails at start-up with a
// message saying what is needed, rather than at the first resolver call.

const hasJspi = () => typeof WebAssembly.Suspending === 'function' && typeof WebAssembly.promising === 'function';

if (!hasJspi()) {
  throw new Error(
    'Aigis needs WebAssembly JSPI (WebAssembly.Suspending and WebAssembly.promising), on by default from ' +
      `Node.js 24.22: run on the Forge runtime nodejs24.x; this is Node.js ${process.version}`,
  );
}

export const JSPI = true;
