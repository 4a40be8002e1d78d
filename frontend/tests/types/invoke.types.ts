// Compile-time tests of the typed invoke (checked by `npm run typecheck`, never run):
// each `@ts-expect-error` line must fail to compile, or tsc reports the directive
// as unused and the typecheck fails.

import { invoke } from '../../src/lib/invoke';
import { createForgeInvoker, type Invoke } from '../../src/lib/invoker';
import type { Decided, HeldGrants, Me } from '../../src/generated/api';

declare const typed: Invoke;

export async function keysAndShapes(): Promise<void> {
  // The answer has the resolver's type.
  const me: Me = await invoke('whoami', {});
  const held: HeldGrants = await invoke('grants.mine', { limit: 25 });
  const decided: Decided = await typed('requests.approve', { requestId: '10001', rationale: 'fits' });
  void me;
  void held;
  void decided;

  // @ts-expect-error: not a resolver function key
  await invoke('requests.approveAll', {});
  // @ts-expect-error: a key must be a literal of the table, not any string
  await invoke('whoami' as string, {});
  // @ts-expect-error: the args are required (`{}` for no arguments)
  await invoke('whoami');
  // @ts-expect-error: a resolver without arguments takes none
  await invoke('whoami', { all: true });
  // @ts-expect-error: a required field is missing (`requestId`)
  await invoke('requests.approve', { rationale: 'x' });
  // @ts-expect-error: a field of the wrong type
  await invoke('grants.extend', { grantId: 'g-1', days: '7', rationale: 'x' });
  // @ts-expect-error: a field the resolver does not know
  await invoke('requests.deny', { requestId: '1', rationale: 'x', reason: 'y' });
  // @ts-expect-error: an enum value outside the generated union
  await invoke('requests.decide', { requestIds: ['1'], decision: 'maybe' });
  // @ts-expect-error: the answer is the resolver's, not another's
  const wrong: Me = await invoke('catalog.list', {});
  void wrong;
}

export async function theForgeInvokerIsTyped(): Promise<void> {
  const forge = createForgeInvoker(async () => async () => ({}));
  await forge('catalog.list', { all: true });
  // @ts-expect-error: the Forge invoker refuses unknown keys too
  await forge('nope', {});
  // @ts-expect-error: the Forge path refuses wrong shapes too
  await forge('catalog.list', { all: 'yes' });
}
