// jira:adminPage (aigis-admin): Jira's settings sidebar lists the sub-pages
// (manifest.yml `sections`); the page shows the one view.createHistory's
// location names, and moves between them (a readiness card's fix link) by
// pushing its route.

import { view } from '@forge/bridge';
import React, { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { getContext } from '../../lib/context';
import { enableTheme } from '../../lib/theme';
import { call, errorWords } from '../global/rpc';
import { AdminPage } from './AdminPage';
import { routeOfPath, type AdminRoute } from './routes';

type History = Awaited<ReturnType<typeof view.createHistory>>;

function App(): React.JSX.Element {
  const [route, setRoute] = useState<AdminRoute>('overview');
  const [history, setHistory] = useState<History | null>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'forbidden' | string>('loading');
  const [timeZone, setTimeZone] = useState<string | undefined>();

  useEffect(() => {
    (async () => {
      const [me, ctx, hist] = await Promise.all([call('whoami', {}), getContext()
          .then(async (c) => (await enableTheme(c), c))
          .catch(() => null), view.createHistory().catch(() => null)]);
      setTimeZone(ctx?.timezone || undefined);
      if (hist) {
        setHistory(hist);
        setRoute(routeOfPath(hist.location.pathname));
        hist.listen((location) => setRoute(routeOfPath(location.pathname)));
      }
      setState(me.isAdmin ? 'ready' : 'forbidden');
    })().catch((e: unknown) => setState(errorWords(e)));
  }, []);

  if (state === 'loading') return <p aria-busy="true">Loading…</p>;
  if (state === 'forbidden') return <p role="alert">Only Jira administrators can use the Aigis settings.</p>;
  if (state !== 'ready') return <p role="alert">Aigis could not load: {state}</p>;
  return (
    <AdminPage
      route={route}
      timeZone={timeZone}
      go={(r) => {
        setRoute(r);
        history?.push(`/${r}`);
      }}
    />
  );
}

const root = document.getElementById('root');
if (root) createRoot(root).render(<App />);
