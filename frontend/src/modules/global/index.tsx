// jira:globalPage (aigis-home): the viewer's AI access, and approvers' queues.
// Tabs are routes (`/approvals`) kept in Jira's URL through view.createHistory.

import { view } from '@forge/bridge';
import React, { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { getContext } from '../../lib/context';
import { enableTheme } from '../../lib/theme';
import type { Me } from '../../generated/api';
import { GlobalPage } from './GlobalPage';
import { call, errorWords } from './rpc';
import { pathOfTab, tabOfPath, tabsFor, type TabId } from './tabs';

type History = Awaited<ReturnType<typeof view.createHistory>>;

function App(): React.JSX.Element {
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tab, setTab] = useState<TabId>('access');
  const [history, setHistory] = useState<History | null>(null);
  const [timeZone, setTimeZone] = useState<string | undefined>();

  useEffect(() => {
    (async () => {
      const [who, ctx, hist] = await Promise.all([
        call('whoami', {}),
        getContext()
          .then(async (c) => (await enableTheme(c), c))
          .catch(() => null),
        view.createHistory().catch(() => null),
      ]);
      const tz = ctx?.timezone;
      setTimeZone(tz || undefined);
      setMe(who);
      if (hist) {
        setHistory(hist);
        setTab(tabOfPath(hist.location.pathname, tabsFor(who)));
        hist.listen((location) => setTab(tabOfPath(location.pathname, tabsFor(who))));
      }
    })().catch((e: unknown) => setError(errorWords(e)));
  }, []);

  if (error) return <p role="alert">Aigis could not load: {error}</p>;
  if (!me) return <p aria-busy="true">Loading…</p>;
  return (
    <GlobalPage
      me={me}
      tab={tab}
      timeZone={timeZone}
      onTab={(id) => {
        setTab(id);
        history?.push(pathOfTab(id));
      }}
    />
  );
}

const root = document.getElementById('root');
if (root) createRoot(root).render(<App />);
