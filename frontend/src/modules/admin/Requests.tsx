import Button from '@atlaskit/button/new';
import { Box, xcss, Inline, Stack, Text } from '@atlaskit/primitives';
import SectionMessage from '@atlaskit/section-message';
import Tabs, { Tab, TabList, TabPanel } from '@atlaskit/tabs';
import React, { useState } from 'react';
import { days, decisionLabel, formatDateTime, grantStatusLabel, jobKindLabel, jobStatusLabel, modeLabel } from '../../lib/labels';
import type { Decision, Grant, GrantStatus, Job, JobStatus, Request as AccessRequest } from '../../generated/api';
import { ConfirmModal } from '../../lib/confirm/ConfirmModal';
import { bulkDecisionConfirmation, extendConfirmation, revokeConfirmation } from '../../lib/confirm/text';
import { DataTable, type Column } from '../../lib/table/DataTable';
import { PAGE_SIZE, tableArgs, type FilterError, type TableFilters } from '../../lib/table/model';
import { bulkPayload, describeOutcome, outcomeSummary, type ItemResult } from '../global/decide';
import { ApiError, call } from '../global/rpc';
import { IssueLink, Person, Status, flag, useNameOf, useToolNames, useWantNames } from '../global/ui';
import { SelectRow, TextRow } from './fields';

// A tab panel is a flex row: without this its content could not be narrower than a wide table.
const panel = xcss({ minWidth: '0', flexGrow: 1 });

const DECISIONS: readonly Decision[] = ['pending', 'approved', 'denied'];
const GRANT_STATUSES: readonly GrantStatus[] = ['pendingProvision', 'active', 'expired', 'revoked'];
const JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'succeeded', 'retry', 'deadLetter', 'manualPending', 'completed'];

/** The filter bar: status, tool and person (or grant); applied together. */
function Filters({
  statuses,
  label,
  accountLabel,
  onApply,
  error,
}: {
  statuses: readonly { value: string; label: string }[];
  label: string;
  accountLabel: string;
  onApply: (f: TableFilters) => void;
  error: FilterError | null;
}): React.JSX.Element {
  const [f, setF] = useState<TableFilters>({ status: '', tool: '', account: '' });
  return (
    <Inline space="space.150" alignBlock="end" shouldWrap>
      <Box>
        <SelectRow name={`${label}-status`} label="Status" value={f.status ?? ''} options={[{ value: '', label: 'Any' }, ...statuses]} onChange={(v) => setF({ ...f, status: v })} error={error?.field === 'status' ? error.message : null} />
      </Box>
      <Box>
        <TextRow name={`${label}-tool`} label="Tool id" value={f.tool ?? ''} onChange={(v) => setF({ ...f, tool: v })} />
      </Box>
      <Box>
        <TextRow name={`${label}-account`} label={accountLabel} value={f.account ?? ''} onChange={(v) => setF({ ...f, account: v })} />
      </Box>
      <Button onClick={() => onApply(f)} testId={`${label}-apply`}>
        Apply filters
      </Button>
    </Inline>
  );
}

function useFiltered<S extends string>(statuses: readonly S[]) {
  const [filters, setFilters] = useState<TableFilters>({});
  const [error, setError] = useState<FilterError | null>(null);
  const [reload, setReload] = useState(0);
  const apply = (f: TableFilters): void => {
    const r = tableArgs(f, statuses);
    if ('error' in r) return setError(r.error);
    setError(null);
    setFilters(f);
    setReload((n) => n + 1);
  };
  const args = (cursor: string | undefined) => {
    const r = tableArgs(filters, statuses, { cursor, limit: PAGE_SIZE });
    if ('error' in r) throw new ApiError('invalid', r.error.message, r.error.field);
    return r.args;
  };
  return { apply, args, error, reload, refresh: () => setReload((n) => n + 1) };
}

function RequestsTable(): React.JSX.Element {
  const nameOf = useNameOf();
  const t = useFiltered(DECISIONS);
  const wantNames = useWantNames<AccessRequest>((r) => [r.requester, r.decidedBy]);
  const [selected, setSelected] = useState<ReadonlyMap<string, AccessRequest>>(new Map());
  const [decision, setDecision] = useState<'approve' | 'deny' | null>(null);
  const [rationale, setRationale] = useState('');
  const [results, setResults] = useState<ItemResult[] | null>(null);
  const chosen = [...selected.values()];
  const check = decision ? bulkPayload(decision, [...selected.keys()], rationale) : null;
  const columns: Column<AccessRequest>[] = [
    { key: 'issue', header: 'Issue', cell: (r) => <IssueLink issueKey={r.issueKey} />, csv: (r) => r.issueKey },
    { key: 'requester', header: 'Requester', cell: (r) => <Person accountId={r.requester} />, csv: (r) => nameOf(r.requester) },
    { key: 'tool', header: 'Tool', cell: (r) => r.toolName || r.tool, csv: (r) => r.toolName || r.tool },
    { key: 'duration', header: 'Duration', cell: (r) => days(r.durationDays), csv: (r) => r.durationDays },
    { key: 'decision', header: 'Decision', cell: (r) => <Status value={r.decision} label={decisionLabel(r.decision)} />, csv: (r) => r.decision },
    { key: 'by', header: 'Decided by', cell: (r) => (r.decidedBy ? <Person accountId={r.decidedBy} /> : r.policy ? `policy ${r.policy}` : '—'), csv: (r) => (r.decidedBy ? nameOf(r.decidedBy) : r.policy ?? '') },
    { key: 'created', header: 'Requested', cell: (r) => formatDateTime(r.createdAt), csv: (r) => new Date(r.createdAt).toISOString() },
  ];
  return (
    <Stack space="space.200">
      <Filters label="requests" statuses={DECISIONS.map((d) => ({ value: d, label: decisionLabel(d) }))} accountLabel="Requester account id" onApply={t.apply} error={t.error} />
      {results && (
        <SectionMessage appearance={results.every((r) => r.ok) ? 'success' : 'warning'} title="What happened to each request">
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
        caption="Requests"
        onRows={wantNames}
        columns={columns}
        rowId={(r) => r.id}
        reloadKey={t.reload}
        selectable={(r) => r.decision === 'pending'}
        selected={selected}
        onSelect={setSelected}
        load={async (cursor) => {
          const r = await call('requests.list', t.args(cursor));
          return { items: r.requests, nextCursor: r.nextCursor };
        }}
        csvName="requests"
        empty="No requests match these filters."
        toolbar={
          <>
            <Button appearance="primary" isDisabled={selected.size === 0} onClick={() => setDecision('approve')}>
              Approve selected
            </Button>
            <Button appearance="danger" isDisabled={selected.size === 0} onClick={() => setDecision('deny')}>
              Deny selected
            </Button>
          </>
        }
        testId="admin-requests"
      />
      <ConfirmModal
        confirmation={decision ? bulkDecisionConfirmation(decision, chosen.map((r) => ({ issueKey: r.issueKey, tool: r.toolName || r.tool, person: nameOf(r.requester), durationDays: r.durationDays })), rationale) : null}
        isConfirmDisabled={!check || 'error' in check}
        onClose={() => setDecision(null)}
        onConfirm={async () => {
          if (!decision || !check || 'error' in check) return;
          const out = await call('requests.decide', check.payload);
          setResults(describeOutcome(out, new Map(chosen.map((r) => [r.id, r]))));
          flag(out.failed ? 'warning' : 'success', outcomeSummary(decision, out));
          setSelected(new Map());
          setRationale('');
          t.refresh();
        }}
      >
        <TextRow name="rationale" label={decision === 'deny' ? 'Rationale (required to deny)' : 'Rationale (optional)'} value={rationale} onChange={setRationale} error={check && 'error' in check && rationale ? check.error.message : null} />
      </ConfirmModal>
    </Stack>
  );
}

function GrantsTable(): React.JSX.Element {
  const nameOf = useNameOf();
  const t = useFiltered(GRANT_STATUSES);
  const wantNames = useWantNames<Grant>((g) => [g.account]);
  const toolName = useToolNames(true);
  const [selected, setSelected] = useState<ReadonlyMap<string, Grant>>(new Map());
  const [revoking, setRevoking] = useState<Grant[] | null>(null);
  const [extending, setExtending] = useState<Grant | null>(null);
  const [rationale, setRationale] = useState('');
  const [extendDays, setExtendDays] = useState('30');
  const line = (g: Grant) => ({ tool: toolName(g.tool), person: nameOf(g.account), issueKey: g.issueKey });
  const why = rationale.trim();
  const n = Number(extendDays);
  const daysOk = Number.isInteger(n) && n >= 1 && n <= 180;
  const columns: Column<Grant>[] = [
    { key: 'person', header: 'Person', cell: (g) => <Person accountId={g.account} />, csv: (g) => nameOf(g.account) },
    { key: 'tool', header: 'Tool', cell: (g) => toolName(g.tool), csv: (g) => toolName(g.tool) },
    { key: 'status', header: 'Status', cell: (g) => <Status value={g.status} label={grantStatusLabel(g.status)} />, csv: (g) => g.status },
    { key: 'expires', header: 'Ends', cell: (g) => formatDateTime(g.expiresAt), csv: (g) => new Date(g.expiresAt).toISOString() },
    { key: 'issue', header: 'Request', cell: (g) => <IssueLink issueKey={g.issueKey} />, csv: (g) => g.issueKey },
    {
      key: 'actions',
      header: 'Actions',
      cell: (g) =>
        g.status === 'active' || g.status === 'pendingProvision' ? (
          <Inline space="space.050">
            {g.status === 'active' && (
              <Button spacing="compact" onClick={() => setExtending(g)}>
                Extend
              </Button>
            )}
            <Button spacing="compact" appearance="danger" onClick={() => setRevoking([g])}>
              Revoke
            </Button>
          </Inline>
        ) : null,
    },
  ];
  const done = (): void => {
    setRationale('');
    setSelected(new Map());
    t.refresh();
  };
  return (
    <Stack space="space.200">
      <Filters label="grants" statuses={GRANT_STATUSES.map((s) => ({ value: s, label: grantStatusLabel(s) }))} accountLabel="Holder account id" onApply={t.apply} error={t.error} />
      <DataTable
        caption="Grants"
        onRows={wantNames}
        columns={columns}
        rowId={(g) => g.id}
        reloadKey={t.reload}
        selectable={(g) => g.status === 'active' || g.status === 'pendingProvision'}
        selected={selected}
        onSelect={setSelected}
        load={async (cursor) => {
          const r = await call('grants.list', t.args(cursor));
          return { items: r.grants, nextCursor: r.nextCursor };
        }}
        csvName="grants"
        empty="No grants match these filters."
        toolbar={
          <Button appearance="danger" isDisabled={selected.size === 0} onClick={() => setRevoking([...selected.values()])}>
            Revoke selected
          </Button>
        }
        testId="admin-grants"
      />
      <ConfirmModal
        confirmation={revoking ? revokeConfirmation(revoking.map(line), rationale) : null}
        isConfirmDisabled={!why}
        onClose={() => setRevoking(null)}
        onConfirm={async () => {
          if (!revoking) return;
          const failed: string[] = [];
          for (const g of revoking) {
            try {
              await call('grants.revoke', { grantId: g.id, rationale: why });
            } catch (e) {
              failed.push(`${g.issueKey}: ${e instanceof Error ? e.message : 'not done'}`);
            }
          }
          flag(failed.length ? 'warning' : 'success', `${revoking.length - failed.length} revoked${failed.length ? `, ${failed.length} not done` : ''}`, failed.join('; ') || undefined);
          done();
        }}
      >
        <TextRow name="rationale" label="Rationale (required)" value={rationale} onChange={setRationale} />
      </ConfirmModal>
      <ConfirmModal
        confirmation={extending ? extendConfirmation(line(extending), daysOk ? n : 0, daysOk ? formatDateTime(extending.expiresAt + n * 86_400_000) : '—') : null}
        isConfirmDisabled={!why || !daysOk}
        onClose={() => setExtending(null)}
        onConfirm={async () => {
          if (!extending) return;
          await call('grants.extend', { grantId: extending.id, days: n, rationale: why, expectedExpiresAt: extending.expiresAt });
          flag('success', `Extended by ${days(n)}`);
          done();
        }}
      >
        <TextRow name="days" type="number" label="Days to add (1 to 180)" value={extendDays} onChange={setExtendDays} error={daysOk ? null : 'Days to add: a whole number from 1 to 180.'} />
        <TextRow name="rationale" label="Rationale (required)" value={rationale} onChange={setRationale} />
      </ConfirmModal>
    </Stack>
  );
}

function JobsTable(): React.JSX.Element {
  const t = useFiltered(JOB_STATUSES);
  const columns: Column<Job>[] = [
    { key: 'id', header: 'Task', cell: (j) => jobKindLabel(j.kind), csv: (j) => j.kind },
    { key: 'grant', header: 'Grant', cell: (j) => j.grant, csv: (j) => j.grant },
    { key: 'mode', header: 'How', cell: (j) => modeLabel(j.mode), csv: (j) => modeLabel(j.mode) },
    { key: 'status', header: 'Status', cell: (j) => <Status value={j.status} label={jobStatusLabel(j.status)} />, csv: (j) => j.status },
    { key: 'attempts', header: 'Attempts', cell: (j) => String(j.attempts), csv: (j) => j.attempts },
    { key: 'updated', header: 'Updated', cell: (j) => formatDateTime(j.updatedAt), csv: (j) => new Date(j.updatedAt).toISOString() },
    { key: 'note', header: 'Note', cell: (j) => j.note ?? '', csv: (j) => j.note ?? '' },
  ];
  return (
    <Stack space="space.200">
      <Filters label="jobs" statuses={JOB_STATUSES.map((s) => ({ value: s, label: jobStatusLabel(s) }))} accountLabel="Grant id" onApply={t.apply} error={t.error} />
      <DataTable
        caption="Provisioning tasks"
        columns={columns}
        rowId={(j) => j.id}
        reloadKey={t.reload}
        load={async (cursor) => {
          const r = await call('jobs.list', t.args(cursor));
          return { items: r.jobs, nextCursor: r.nextCursor };
        }}
        csvName="jobs"
        empty="No tasks match these filters."
        testId="admin-jobs"
      />
    </Stack>
  );
}

/** Every request, grant and provisioning task, with filters, actions and CSV of the filtered view. */
export function Requests(): React.JSX.Element {
  const [tab, setTab] = useState(0);
  return (
    <Tabs id="aigis-admin-requests" selected={tab} onChange={setTab}>
      <TabList>
        <Tab>Requests</Tab>
        <Tab>Grants</Tab>
        <Tab>Tasks</Tab>
      </TabList>
      <TabPanel>
        <Box paddingBlockStart="space.200" xcss={panel}>{tab === 0 && <RequestsTable />}</Box>
      </TabPanel>
      <TabPanel>
        <Box paddingBlockStart="space.200" xcss={panel}>{tab === 1 && <GrantsTable />}</Box>
      </TabPanel>
      <TabPanel>
        <Box paddingBlockStart="space.200" xcss={panel}>{tab === 2 && <JobsTable />}</Box>
      </TabPanel>
    </Tabs>
  );
}
