import Heading from '@atlaskit/heading';
import { Box, Stack, Text } from '@atlaskit/primitives';
import React from 'react';
import { Catalog } from './Catalog';
import { Connectors } from './Connectors';
import { Governance } from './Governance';
import { Insights } from './Insights';
import { Intake } from './Intake';
import { Logs } from './Logs';
import { Overview } from './Overview';
import { Requests } from './Requests';
import { ADMIN_PAGES, type AdminRoute } from './routes';
import { NamesProvider } from '../global/ui';

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
        return <Catalog />;
      case 'connectors':
        return <Connectors />;
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
        {body()}
      </Stack>
    </Box>
    </NamesProvider>
  );
}
