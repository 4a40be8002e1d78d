import Button from '@atlaskit/button/new';
import { Stack, Text } from '@atlaskit/primitives';
import TextArea from '@atlaskit/textarea';
import React, { useState } from 'react';
import { completionFor, formatDateTime, jobKindLabel, jobStatusLabel } from '../../lib/labels';
import type { ManualJob } from '../../generated/api';
import { ConfirmModal } from '../../lib/confirm/ConfirmModal';
import { completeConfirmation } from '../../lib/confirm/text';
import { DataTable, type Column } from '../../lib/table/DataTable';
import { PAGE_SIZE } from '../../lib/table/model';
import { call } from './rpc';
import { IssueLink, Person, Status, flag, useNameOf, useWantNames } from './ui';

/** Give or remove access by hand (the tool's fulfilment notes say how), then mark the task done so the grant moves on. */
export function ManualTasks({ me, timeZone }: { me: string; timeZone?: string }): React.JSX.Element {
  const nameOf = useNameOf();
  const wantNames = useWantNames<ManualJob>((j) => [j.person]);
  const [task, setTask] = useState<ManualJob | null>(null);
  const [note, setNote] = useState('');
  const [reload, setReload] = useState(0);

  const columns: Column<ManualJob>[] = [
    { key: 'task', header: 'Task', cell: (j) => <Text weight="bold">{jobKindLabel(j.kind)}</Text> },
    { key: 'person', header: 'Person', cell: (j) => <Person accountId={j.person} /> },
    { key: 'tool', header: 'Tool', cell: (j) => j.toolName || j.toolId },
    { key: 'issue', header: 'Request', cell: (j) => <IssueLink issueKey={j.issueKey} /> },
    { key: 'notes', header: 'How to fulfil', cell: (j) => j.fulfilmentNotes || '—' },
    { key: 'status', header: 'Status', cell: (j) => <Status value={j.status} label={jobStatusLabel(j.status)} /> },
    { key: 'due', header: 'Due', cell: (j) => formatDateTime(j.dueAt, timeZone) },
    {
      key: 'action',
      header: 'Action',
      cell: (j) =>
        j.status !== 'manualPending' ? (
          <Text>{j.note ?? ''}</Text>
        ) : j.person === me ? (
          <Text>Your own access: another approver does this</Text>
        ) : (
          <Button appearance="primary" spacing="compact" onClick={() => setTask(j)} testId={`complete-${j.id}`}>
            {completionFor(j.kind).label}
          </Button>
        ),
    },
  ];

  const c = task ? completionFor(task.kind) : null;
  return (
    <Stack space="space.200">
      <Text as="p">Give or remove access by hand in the tool itself, following its fulfilment notes, then mark the task done here so the grant moves on.</Text>
      <DataTable
        caption="Manual fulfilment tasks"
        columns={columns}
        rowId={(j) => j.id}
        reloadKey={reload}
        onRows={wantNames}
        load={async (cursor) => {
          const r = await call('jobs.manual', { cursor, limit: PAGE_SIZE });
          return { items: r.jobs, nextCursor: r.nextCursor };
        }}
        empty="No manual tasks are waiting."
        testId="manual-tasks"
      />
      <ConfirmModal
        confirmation={task && c ? completeConfirmation(c.label, nameOf(task.person), task.toolName || task.toolId, task.issueKey) : null}
        onClose={() => {
          setTask(null);
          setNote('');
        }}
        onConfirm={async () => {
          if (!task || !c) return;
          const text = note.trim();
          const r = await call('jobs.complete', { jobId: task.id, outcome: c.outcome, ...(text ? { note: text } : {}) });
          flag('success', r.changed ? `${c.label}: ${task.issueKey}` : 'Already completed');
          setNote('');
          setReload((n) => n + 1);
        }}
      >
        <Stack space="space.050">
          {task?.fulfilmentNotes && <Text>How: {task.fulfilmentNotes}</Text>}
          <label htmlFor="complete-note">
            <Text weight="medium">Fulfilment note (optional)</Text>
          </label>
          <TextArea id="complete-note" name="note" value={note} maxLength={2000} onChange={(e) => setNote(e.currentTarget.value)} />
        </Stack>
      </ConfirmModal>
    </Stack>
  );
}
