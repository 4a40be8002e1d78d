// A typed resolver call over any bridge invoke (pure: tests pass a fake one).

import { ApiError, errorFromBody, errorFromBridge, isRecord, isResolverKey, type Args, type Out, type ResolverKey } from './errors';

/** A resolver call, typed by the generated table. */
export type Invoke = <K extends ResolverKey>(key: K, args: Args<K>) => Promise<Out<K>>;

/** The Forge bridge's `invoke(functionKey, payload)`. */
export type BridgeInvoke = (key: string, payload?: Record<string, unknown>) => Promise<unknown>;

/**
 * A Forge invoker over a bridge invoke: refuses keys that are not resolvers,
 * and turns a rejection or an `{error: {...}}` answer into an ApiError.
 */
export function createForgeInvoker(bridge: () => Promise<BridgeInvoke>): Invoke {
  return async (key, args) => {
    if (!isResolverKey(key)) throw new ApiError('invalid', `"${String(key)}" is not an Aigis function.`, 'functionKey');
    const fn = await bridge();
    let result: unknown;
    try {
      result = await fn(key, (args ?? {}) as Record<string, unknown>);
    } catch (e) {
      throw errorFromBridge(e);
    }
    if (isRecord(result) && isRecord(result.error)) {
      const err = errorFromBody(result);
      if (err) throw err;
    }
    // The resolver answers with its serialised `Out` (the route table's contract).
    return result as Out<typeof key>;
  };
}
