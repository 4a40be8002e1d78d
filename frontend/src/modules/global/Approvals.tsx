import Button from '@atlaskit/button/new';
import { Stack, Text } from '@atlaskit/primitives';
import SectionMessage from '@atlaskit/section-message';
import TextArea from '@atlaskit/textarea';
import React, { useState } from 'react';
import { days, formatDateTime } from '../../lib/labels';
import type { Request as AccessRequest } from '../../generated/api';
import { ConfirmModal } from '../../lib/confirm/ConfirmModal';
import { bulkDecisionConfirmation } from '../../lib/confirm/text';
import { DataTable, type Column } from '../../lib/table/DataTable';
import { MAX_BULK, PAGE_SIZE } from '../../lib/table/model';
import { bulkPayload, describeOutcome, outcomeSummary, type ItemResult } from './decide';
import { ApiError, call } from './rpc';
import { IssueLink, Person, flag, useNameOf, useWantNames } from './ui';

/**
 * Requests waiting for a decision: select up to 50, approve or deny them
 * together behind a confirmation, and see what happened to each.
 */
export function Approvals({ me, timeZone }: { me: string; timeZone?: string }): React.JSX.Element {
  const nameOf = useNameOf();
  const wantNames = useWantNames<AccessRequest>((r) => [r.requester]);
  const [selected, setSelected] = useState<ReadonlyMap<string, AccessRequest>>(new Map());
  const [decision, setDecision] = useState<'approve' | 'deny' | null>(null);
  const [rationale, setRationale] = useState('');
  const [results, setResults] = useState<ItemResult[] | null>(null);
  const [reload, setReload] = useState(0);

  const chosen = [...selected.values()];
  const lines = chosen.map((r) => ({ issueKey: r.issueKey, tool: r.toolName || r.tool, person: nameOf(r.requester), durationDays: r.durationDays }));
  const confirmation = decision ? bulkDecisionConfirmation(decision, lines, rationale) : null;
  const check = decision ? bulkPayload(decision, [...selected.keys()], rationale) : null;

  const columns: Column<AccessRequest>[] = [
    { key: 'issue', header: 'Issue', cell: (r) => <IssueLink issueKey={r.issueKey} /> },
    { key: 'requester', header: 'Requester', cell: (r) => <Person accountId={r.requester} /> },
    { key: 'tool', header: 'Tool', cell: (r) => <Text weight="bold">{r.toolName || r.tool}</Text> },
    { key: 'purpose', header: 'Purpose', cell: (r) => r.purpose },
    { key: 'duration', header: 'Duration', cell: (r) => days(r.durationDays) },
    { key: 'review', header: 'Needs', cell: (r) => (r.securityReview ? 'security review' : r.firstApproval ? 'second approval' : 'a decision') },
    { key: 'created', header: 'Requested', cell: (r) => formatDateTime(r.createdAt, timeZone) },
  ];

  const decide = async (): Promise<void> => {
    if (!decision || !check) return;
    if ('error' in check) throw new ApiError('invalid', check.error.message, check.error.field);
    const byId = new Map(chosen.map((r) => [r.id, r]));
    const outcome = await call('requests.decide', check.payload);
    setResults(describeOutcome(outcome, byId));
    flag(outcome.failed ? 'warning' : 'success', outcomeSummary(decision, outcome));
    setSelected(new Map());
    setRationale('');
    setReload((n) => n + 1);
  };

  return (
    <Stack space="space.200">
      <Text as="p">Requests waiting for a decision. Select up to {MAX_BULK} to decide together; nobody decides on their own request.</Text>
      {results && (
        <SectionMessage appearance={results.every((r) => r.ok) ? 'success' : 'warning'} title="What happened to each request" testId="bulk-results">
          <ul>
            {results.map((r) => (
              <li key={r.requestId}>
                <Text>{r.text}</Text>
              </li>
            ))}
          </ul>
        </SectionMessage>
      )}
      <DataTable
        caption="Requests waiting for a decision"
        columns={columns}
        rowId={(r) => r.id}
        onRows={wantNames}
        selectable={(r) => r.requester !== me}
        selected={selected}
        onSelect={setSelected}
        reloadKey={reload}
        load={async (cursor) => {
          const r = await call('requests.pending', { cursor, limit: PAGE_SIZE });
          return { items: r.requests, nextCursor: r.nextCursor };
        }}
        empty="No requests are waiting for a decision."
        toolbar={
          <>
            <Button appearance="primary" isDisabled={selected.size === 0} onClick={() => setDecision('approve')} testId="bulk-approve">
              Approve selected
            </Button>
            <Button appearance="danger" isDisabled={selected.size === 0} onClick={() => setDecision('deny')} testId="bulk-deny">
              Deny selected
            </Button>
          </>
        }
        testId="approvals"
      />
      <ConfirmModal
        confirmation={confirmation}
        onConfirm={decide}
        onClose={() => setDecision(null)}
        isConfirmDisabled={!check || 'error' in check}
      >
        <Stack space="space.050">
          <label htmlFor="bulk-rationale">
            <Text weight="medium">Rationale{decision === 'deny' ? ' (required to deny)' : ' (optional)'}</Text>
          </label>
          <TextArea
            id="bulk-rationale"
            name="rationale"
            value={rationale}
            maxLength={2000}
            isInvalid={!!check && 'error' in check && check.error.field === 'rationale' && decision === 'deny' && rationale !== ''}
            onChange={(e) => setRationale(e.currentTarget.value)}
          />
          {check && 'error' in check && <Text color="color.text.danger">{check.error.message}</Text>}
        </Stack>
      </ConfirmModal>
    </Stack>
  );
}
