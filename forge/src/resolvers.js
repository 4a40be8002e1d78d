// Forge function `resolver` (handler resolvers.run): every resolver function
// key of the Custom UI, served by the resolvers component.
import './jspi.js';
import Resolver from '@forge/resolver';
import { resolver, $init } from './gen/resolvers/aigis_resolvers.js';
import { RESOLVER_KEYS } from './resolver-keys.js';
import { invocation, serial, componentFailure } from './invocation.js';

const gate = serial();

/** One resolver call: `invoke(key, payload JSON, context JSON)`; the ok JSON is returned parsed. */
const call = (key) => (req) =>
  gate(() =>
    invocation('resolvers.run', async () => {
      await $init;
      const payload = req.payload === undefined ? '' : JSON.stringify(req.payload);
      let out;
      try {
        out = await resolver.invoke(key, payload, JSON.stringify(req.context ?? {}));
      } catch (e) {
        throw componentFailure(e);
      }
      return JSON.parse(out);
    }),
  );

const definitions = new Resolver();
for (const key of RESOLVER_KEYS) definitions.define(key, call(key));

export const run = definitions.getDefinitions();
