import Heading from '@atlaskit/heading';
import { Box, Stack, Text } from '@atlaskit/primitives';
import React, { Suspense, lazy } from 'react';
import { ADMIN_PAGES, type AdminRoute } from './routes';
import { NamesProvider } from '../global/ui';

// Each sub-page is its own lazy chunk (esbuild `splitting`): the admin page
// loads only the screen of the sub-page Jira's sidebar opened.
const Overview = lazy(() => import('./Overview').then((m) => ({ default: m.Overview })));
const Intake = lazy(() => import('./Intake').then((m) => ({ default: m.Intake })));
const Catalog = lazy(() => import('./Catalog').then((m) => ({ default: m.Catalog })));
const Connectors = lazy(() => import('./Connectors').then((m) => ({ default: m.Connectors })));
const Governance = lazy(() => import('./Governance').then((m) => ({ default: m.Governance })));
const Requests = lazy(() => import('./Requests').then((m) => ({ default: m.Requests })));
const Insights = lazy(() => import('./Insights').then((m) => ({ default: m.Insights })));
const Logs = lazy(() => import('./Logs').then((m) => ({ default: m.Logs })));

/** One sub-page of the admin page, by route (Jira's sidebar picks it). */
export function AdminPage({ route, go, timeZone }: { route: AdminRoute; go: (r: AdminRoute) => void; timeZone?: string }): React.JSX.Element {
  const page = ADMIN_PAGES.find((p) => p.route === route) ?? ADMIN_PAGES[0]!;
  const body = (): React.JSX.Element => {
    switch (page.route) {
      case 'overview':
        return <Overview go={go} timeZone={timeZone} />;
      case 'intake':
        return <Intake />;
      case 'catalog':
        return <Catalog timeZone={timeZone} />;
      case 'connectors':
        return <Connectors timeZone={timeZone} />;
      case 'governance':
        return <Governance />;
      case 'requests':
        return <Requests />;
      case 'insights':
        return <Insights />;
      case 'logs':
        return <Logs timeZone={timeZone} />;
    }
  };
  return (
    <NamesProvider>
    <Box padding="space.300">
      <Stack space="space.200">
        <Stack space="space.050">
          <Text color="color.text.subtle">Aigis · {page.section}</Text>
          <Heading size="large" as="h1">
            {page.title}
          </Heading>
        </Stack>
        <Suspense fallback={<p aria-busy="true">Loading…</p>}>{body()}</Suspense>
      </Stack>
    </Box>
    </NamesProvider>
  );
}
