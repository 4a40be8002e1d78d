import { Stack, Text } from '@atlaskit/primitives';
import React from 'react';
import { days, riskLabel } from '../../lib/labels';
import type { Tool } from '../../generated/api';
import { DataTable, type Column } from '../../lib/table/DataTable';
import { call } from './rpc';
import { Status } from './ui';

/** The requestable catalog with its guidance. */
export function ApprovedTools(): React.JSX.Element {
  const columns: Column<Tool>[] = [
    { key: 'name', header: 'Tool', cell: (t) => <Text weight="bold">{t.name}</Text> },
    { key: 'provider', header: 'Provider', cell: (t) => t.provider },
    { key: 'risk', header: 'Risk', cell: (t) => <Status value={t.risk} label={riskLabel(t.risk)} /> },
    { key: 'max', header: 'Longest grant', cell: (t) => days(t.maxDurationDays) },
    { key: 'guidance', header: 'Guidance', cell: (t) => t.guidance || '—' },
  ];
  return (
    <Stack space="space.200">
      <Text as="p">The AI tools you may request, with what to know before using each. Request one through the service desk portal.</Text>
      <DataTable
        caption="Approved tools"
        columns={columns}
        rowId={(t) => t.id}
        load={async () => {
          const { tools } = await call('catalog.list', {});
          return { items: tools.filter((t) => t.status === 'approved'), nextCursor: null };
        }}
        empty="No tools are approved yet."
        testId="approved-tools"
      />
    </Stack>
  );
}
