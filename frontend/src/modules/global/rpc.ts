// Resolver calls of the page modules: the foundation's `invoke` (the real
// @forge/bridge, typed by the generated route table; the local site
// emulates the bridge), and errors in plain words with the field's label.

import { ApiError, toApiError } from '../../lib/errors';
import { invoke } from '../../lib/invoke';

export { ApiError };

export const call = invoke;

/** The words to show for a failure: the field's label first when there is one. */
export function errorWords(e: unknown, labels: Readonly<Record<string, string>> = {}): string {
  const err = toApiError(e);
  if (err.field) {
    const base = err.field.replace(/\[\d+\]/g, '').split('.').pop() ?? err.field;
    const label = labels[err.field] ?? labels[base];
    if (label) return `${label}: ${err.message}`;
  }
  return err.message;
}
