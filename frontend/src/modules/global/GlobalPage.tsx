import Heading from '@atlaskit/heading';
import { Box, xcss, Stack } from '@atlaskit/primitives';
import Tabs, { Tab, TabList, TabPanel } from '@atlaskit/tabs';
import React from 'react';
import type { Me } from '../../generated/api';
import { Approvals } from './Approvals';
import { RequestHistory } from './History';
import { ManualTasks } from './ManualTasks';
import { MyAccess } from './MyAccess';
import { Reviews } from './Reviews';
import { ApprovedTools } from './Tools';
import { tabsFor, type TabId } from './tabs';
import { NamesProvider } from './ui';

// A tab panel is a flex row: without this its content could not be narrower than a wide table.
const panel = xcss({ minWidth: '0', flexGrow: 1 });

export interface GlobalPageProps {
  me: Me;
  tab: TabId;
  onTab: (id: TabId) => void;
  timeZone?: string;
}

/** The AI Access page: the viewer's access and requests; approvers' work queues. */
export function GlobalPage({ me, tab, onTab, timeZone }: GlobalPageProps): React.JSX.Element {
  const tabs = tabsFor(me);
  const index = Math.max(0, tabs.findIndex((t) => t.id === tab));
  const screen = (id: TabId): React.JSX.Element => {
    switch (id) {
      case 'access':
        return <MyAccess />;
      case 'tools':
        return <ApprovedTools />;
      case 'history':
        return <RequestHistory timeZone={timeZone} />;
      case 'approvals':
        return <Approvals me={me.accountId} timeZone={timeZone} />;
      case 'tasks':
        return <ManualTasks me={me.accountId} timeZone={timeZone} />;
      case 'reviews':
        return <Reviews me={me.accountId} timeZone={timeZone} />;
    }
  };
  return (
    <NamesProvider>
    <Box padding="space.300">
      <Stack space="space.200">
        <Heading size="large" as="h1">
          AI access
        </Heading>
        <Tabs id="aigis-global" selected={index} onChange={(i) => onTab(tabs[i]!.id)}>
          <TabList>
            {tabs.map((t) => (
              <Tab key={t.id} testId={`tab-${t.id}`}>
                {t.label}
              </Tab>
            ))}
          </TabList>
          {tabs.map((t) => (
            <TabPanel key={t.id}>
              <Box paddingBlockStart="space.200" xcss={panel}>{t.id === tabs[index]!.id ? screen(t.id) : null}</Box>
            </TabPanel>
          ))}
        </Tabs>
      </Stack>
    </Box>
    </NamesProvider>
  );
}
