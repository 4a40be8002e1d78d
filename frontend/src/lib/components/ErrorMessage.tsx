import SectionMessage from '@atlaskit/section-message';
import { describeError } from '../errors';
import { fieldLabel } from '../labels';

/** An error in plain words: what went wrong, and which field (by its label) when one is at fault. */
export function ErrorMessage({ error, labels }: { error: unknown; labels?: Readonly<Record<string, string>> }) {
  const e = describeError(error, labels, fieldLabel);
  return (
    <SectionMessage appearance="error" title={e.title}>
      <p data-code={e.code} role="alert">
        {e.fieldLabel ? `${e.fieldLabel}: ` : ''}
        {e.message}
      </p>
    </SectionMessage>
  );
}
