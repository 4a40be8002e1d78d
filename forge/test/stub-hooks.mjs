// Module resolution hooks (registered with module.register) that send the
// @forge/* bare specifiers the glue imports to the stubs in ./stubs.
const STUBS = {
  '@forge/api': 'api.mjs',
  '@forge/kvs': 'kvs.mjs',
  '@forge/events': 'events.mjs',
  '@forge/resolver': 'resolver.mjs',
};

export async function resolve(specifier, context, next) {
  const stub = STUBS[specifier];
  if (stub) return { url: new URL(`./stubs/${stub}`, import.meta.url).href, shortCircuit: true };
  return next(specifier, context);
}
