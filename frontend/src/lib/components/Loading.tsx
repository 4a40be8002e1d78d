import Spinner from '@atlaskit/spinner';

/** A spinner with words for screen readers. */
export function Loading({ label = 'Loading' }: { label?: string }) {
  return (
    <div role="status" aria-live="polite">
      <Spinner size="medium" label={label} />
    </div>
  );
}
