// Resolver calls of the page modules, through the real @forge/bridge
// `invoke` (the local site emulates the bridge), typed by the generated
// route table; errors as ApiError with code, message and field.

import { invoke as bridgeInvoke } from '@forge/bridge';
import { ApiError, createForgeInvoker, errorFromBridge, type Invoke } from '../../api';

export { ApiError };

export const call: Invoke = createForgeInvoker(async () => bridgeInvoke as (key: string, payload?: Record<string, unknown>) => Promise<unknown>);

/** The words to show for a failure: the field's label first when there is one. */
export function errorWords(e: unknown, labels: Readonly<Record<string, string>> = {}): string {
  const err = e instanceof ApiError ? e : errorFromBridge(e);
  if (err.field) {
    const base = err.field.replace(/\[\d+\]/g, '').split('.').pop() ?? err.field;
    const label = labels[err.field] ?? labels[base];
    if (label) return `${label}: ${err.message}`;
  }
  return err.message;
}
