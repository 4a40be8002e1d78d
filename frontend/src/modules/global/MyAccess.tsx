import { Stack, Text } from '@atlaskit/primitives';
import React, { useState } from 'react';
import { days, formatDateTime, grantStatusLabel } from '../../lib/labels';
import type { HeldGrant } from '../../generated/api';
import { DataTable, type Column } from '../../lib/table/DataTable';
import { PAGE_SIZE } from '../../lib/table/model';
import { expiryText, urgency } from './access';
import { call } from './rpc';
import { IssueLink, Status, useToolNames } from './ui';

/** The grants the viewer holds; expired and expiring-soon rows highlighted. */
export function MyAccess({ now = Date.now }: { now?: () => number }): React.JSX.Element {
  const [zone, setZone] = useState<string | undefined>();
  const toolName = useToolNames();
  const columns: Column<HeldGrant>[] = [
    { key: 'tool', header: 'Tool', cell: (g) => <Text weight="bold">{toolName(g.tool)}</Text>, csv: (g) => toolName(g.tool) },
    { key: 'status', header: 'Status', cell: (g) => <Status value={g.status} label={grantStatusLabel(g.status)} />, csv: (g) => g.status },
    {
      key: 'expiry',
      header: 'Expiry',
      cell: (g) => {
        const u = urgency(g, now());
        const text = expiryText(g);
        if (u === 'expired') return <Status value="denied" label={text} />;
        if (u === 'soon') return <Status value="pending" label={text} />;
        return <Text>{text}</Text>;
      },
    },
    { key: 'ends', header: 'Ends', cell: (g) => <time dateTime={g.expiresAtText}>{formatDateTime(g.expiresAt, zone)}</time> },
    { key: 'duration', header: 'Duration', cell: (g) => days(g.durationDays) },
    { key: 'issue', header: 'Request', cell: (g) => <IssueLink issueKey={g.issueKey} /> },
  ];
  return (
    <Stack space="space.200">
      <Text as="p">AI tools you have access to, and when that access ends. To keep access longer, ask on the request's issue.</Text>
      <DataTable
        caption="My access"
        columns={columns}
        rowId={(g) => g.id}
        highlight={(g) => urgency(g, now()) !== null}
        load={async (cursor) => {
          const r = await call('grants.mine', { cursor, limit: PAGE_SIZE });
          setZone(r.timeZone);
          return { items: r.grants, nextCursor: r.nextCursor };
        }}
        empty="You have no AI tool access yet."
        testId="my-access"
      />
      {zone && <Text color="color.text.subtle">Times in {zone}.</Text>}
    </Stack>
  );
}
