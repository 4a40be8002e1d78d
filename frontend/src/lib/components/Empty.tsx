import type { ReactNode } from 'react';

/** Nothing to show, said plainly (a light stand-in for @atlaskit/empty-state inside panels). */
export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div role="note">
      <p>
        <strong>{title}</strong>
      </p>
      {children ? <p>{children}</p> : null}
    </div>
  );
}
