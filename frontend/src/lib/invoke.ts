// The modules' one way to the backend: `invoke(key, args)` through
// `@forge/bridge`, typed by the generated resolver table
// (`frontend/src/generated/api.ts`): a key that is not a resolver, or args of
// the wrong shape, do not compile, and the answer has the resolver's type.
// Inside Jira the bridge is Forge's; on the local site it is the emulation
// the host adds to each module page (the same package, the same calls).

import { invoke as bridgeInvoke } from '@forge/bridge';
import type { Args, Out, ResolverKey } from './errors';
import { createForgeInvoker, type BridgeInvoke } from './invoker';

export type { Args, Out, ResolverKey };
export type { Invoke } from './invoker';

const forgeInvoke = createForgeInvoker(() => Promise.resolve(bridgeInvoke as BridgeInvoke));

/** Calls resolver `key` with `args`; rejects with an ApiError. */
export function invoke<K extends ResolverKey>(key: K, args: Args<K>): Promise<Out<K>> {
  return forgeInvoke(key, args);
}
