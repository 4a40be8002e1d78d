import Button from '@atlaskit/button/new';
import { Inline, Stack, Text } from '@atlaskit/primitives';
import TextArea from '@atlaskit/textarea';
import TextField from '@atlaskit/textfield';
import React, { useState } from 'react';
import { formatDateTime } from '../../lib/labels';
import type { PendingReview } from '../../generated/api';
import { ConfirmModal } from '../../lib/confirm/ConfirmModal';
import { extendConfirmation, reviewConfirmation } from '../../lib/confirm/text';
import { extendCheck } from './access';
import { DataTable, type Column } from '../../lib/table/DataTable';
import { call } from './rpc';
import { IssueLink, Person, flag, useNameOf, useToolNames, useWantNames } from './ui';

/** Grants up for review before they expire: keep or revoke, with a rationale. */
export function Reviews({ me, timeZone }: { me: string; timeZone?: string }): React.JSX.Element {
  const nameOf = useNameOf();
  const toolName = useToolNames();
  const wantNames = useWantNames<PendingReview>((r) => [r.account]);
  const [pick, setPick] = useState<{ review: PendingReview; answer: 'keep' | 'revoke' } | null>(null);
  const [rationale, setRationale] = useState('');
  const [reload, setReload] = useState(0);
  const [extending, setExtending] = useState<PendingReview | null>(null);
  const [extendDays, setExtendDays] = useState('30');
  const columns: Column<PendingReview>[] = [
    { key: 'person', header: 'Person', cell: (r) => <Person accountId={r.account} /> },
    { key: 'tool', header: 'Tool', cell: (r) => <Text weight="bold">{toolName(r.tool)}</Text> },
    { key: 'expires', header: 'Expires', cell: (r) => formatDateTime(r.expiresAt, timeZone) },
    { key: 'issue', header: 'Request', cell: (r) => <IssueLink issueKey={r.issueKey} /> },
    { key: 'review', header: 'Review issue', cell: (r) => (r.reviewIssue ? <IssueLink issueKey={r.reviewIssue} /> : '—') },
    {
      key: 'answer',
      header: 'Answer',
      cell: (r) =>
        r.account === me ? (
          <Text>Your own access: another approver answers</Text>
        ) : (
          <Inline space="space.050">
            <Button spacing="compact" onClick={() => setPick({ review: r, answer: 'keep' })} testId={`keep-${r.grantId}`}>
              Keep
            </Button>
            <Button spacing="compact" appearance="danger" onClick={() => setPick({ review: r, answer: 'revoke' })} testId={`revoke-${r.grantId}`}>
              Revoke
            </Button>
            <Button spacing="compact" appearance="subtle" onClick={() => setExtending(r)} testId={`extend-${r.grantId}`}>
              Extend
            </Button>
          </Inline>
        ),
    },
  ];
  const why = rationale.trim();
  const ext = extendCheck(extendDays, rationale);
  return (
    <Stack space="space.200">
      <Text as="p">Access that is about to expire: keep it until its end, or revoke it now.</Text>
      <DataTable
        caption="Grants up for review"
        columns={columns}
        rowId={(r) => r.grantId}
        onRows={wantNames}
        reloadKey={reload}
        load={async () => {
          const r = await call('reviews.pending', {});
          return { items: r.reviews, nextCursor: null };
        }}
        empty="No grants are up for review."
        testId="reviews"
      />
      <ConfirmModal
        confirmation={
          pick ? reviewConfirmation(pick.answer, { tool: toolName(pick.review.tool), person: nameOf(pick.review.account), issueKey: pick.review.issueKey }) : null
        }
        isConfirmDisabled={why.length === 0}
        onClose={() => {
          setPick(null);
          setRationale('');
        }}
        onConfirm={async () => {
          if (!pick) return;
          await call('reviews.answer', { grantId: pick.review.grantId, answer: pick.answer, rationale: why });
          flag('success', pick.answer === 'keep' ? 'Access kept' : 'Access revoked');
          setRationale('');
          setReload((n) => n + 1);
        }}
      >
        <Stack space="space.050">
          <label htmlFor="review-rationale">
            <Text weight="medium">Rationale (required)</Text>
          </label>
          <TextArea id="review-rationale" name="rationale" value={rationale} maxLength={2000} onChange={(e) => setRationale(e.currentTarget.value)} />
        </Stack>
      </ConfirmModal>
      <ConfirmModal
        confirmation={
          extending
            ? extendConfirmation(
                { tool: toolName(extending.tool), person: nameOf(extending.account), issueKey: extending.issueKey },
                'days' in ext ? ext.days : 0,
                'days' in ext ? formatDateTime(extending.expiresAt + ext.days * 86_400_000, timeZone) : '—',
              )
            : null
        }
        isConfirmDisabled={'error' in ext}
        onClose={() => {
          setExtending(null);
          setRationale('');
        }}
        onConfirm={async () => {
          if (!extending || 'error' in ext) return;
          await call('grants.extend', { grantId: extending.grantId, days: ext.days, rationale: ext.rationale, expectedExpiresAt: extending.expiresAt });
          flag('success', `Access extended by ${ext.days} days`);
          setRationale('');
          setReload((n) => n + 1);
        }}
      >
        <Stack space="space.050">
          <label htmlFor="extend-days">
            <Text weight="medium">Days to add (1 to 180)</Text>
          </label>
          <TextField id="extend-days" name="days" type="number" value={extendDays} onChange={(e) => setExtendDays((e.target as HTMLInputElement).value)} />
          <label htmlFor="extend-rationale">
            <Text weight="medium">Rationale (required)</Text>
          </label>
          <TextArea id="extend-rationale" name="rationale" value={rationale} maxLength={2000} onChange={(e) => setRationale(e.currentTarget.value)} />
          {'error' in ext && (extendDays !== '' || rationale !== '') && <Text color="color.text.danger">{ext.error.message}</Text>}
        </Stack>
      </ConfirmModal>
    </Stack>
  );
}
