// Small React hooks shared by the modules.

import { useCallback, useEffect, useRef, useState } from 'react';

export type Async<T> = { state: 'loading' } | { state: 'ready'; value: T } | { state: 'failed'; error: unknown };

/**
 * Runs `load` when `deps` change and on `reload()`; an answer that arrives
 * after a newer call started is dropped.
 */
export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[]): [Async<T>, () => void] {
  const [value, setValue] = useState<Async<T>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    setValue((v) => (v.state === 'loading' ? v : { state: 'loading' }));
    load().then(
      (v) => {
        if (seq.current === mine) setValue({ state: 'ready', value: v });
      },
      (error: unknown) => {
        if (seq.current === mine) setValue({ state: 'failed', error });
      },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return [value, reload];
}
