import { Stack, Text } from '@atlaskit/primitives';
import React from 'react';
import { days, decisionLabel, decisionSourceLabel, formatDateTime } from '../../lib/labels';
import type { Request as AccessRequest } from '../../generated/api';
import { DataTable, type Column } from '../../lib/table/DataTable';
import { PAGE_SIZE } from '../../lib/table/model';
import { call } from './rpc';
import { IssueLink, Status } from './ui';

/** Every request the viewer made, newest first. */
export function RequestHistory({ timeZone }: { timeZone?: string }): React.JSX.Element {
  const columns: Column<AccessRequest>[] = [
    { key: 'issue', header: 'Issue', cell: (r) => <IssueLink issueKey={r.issueKey} /> },
    { key: 'tool', header: 'Tool', cell: (r) => <Text weight="bold">{r.toolName || r.tool}</Text> },
    { key: 'purpose', header: 'Purpose', cell: (r) => r.purpose },
    { key: 'duration', header: 'Duration', cell: (r) => days(r.durationDays) },
    {
      key: 'decision',
      header: 'Decision',
      cell: (r) => (
        <Stack space="space.050">
          <Status value={r.decision} label={decisionLabel(r.decision)} />
          {r.decision !== 'pending' && r.decisionSource && <Text size="small">{decisionSourceLabel(r.decisionSource)}</Text>}
          {r.decision === 'pending' && r.securityReview && <Text size="small">awaiting security review</Text>}
        </Stack>
      ),
    },
    { key: 'rationale', header: 'Rationale', cell: (r) => r.rationale ?? '' },
    { key: 'created', header: 'Requested', cell: (r) => formatDateTime(r.createdAt, timeZone) },
  ];
  return (
    <Stack space="space.200">
      <Text as="p">Every access request you have made, newest first.</Text>
      <DataTable
        caption="My requests"
        columns={columns}
        rowId={(r) => r.id}
        load={async (cursor) => {
          const r = await call('requests.mine', { cursor, limit: PAGE_SIZE });
          return { items: r.requests, nextCursor: r.nextCursor };
        }}
        empty="You have not requested any AI tool yet."
        testId="request-history"
      />
    </Stack>
  );
}
