import Button from '@atlaskit/button/new';
import TextArea from '@atlaskit/textarea';
import Textfield from '@atlaskit/textfield';
import { showFlag } from '@forge/bridge';
import { useId, useState } from 'react';
import type { IssueRequest } from '../../generated/api';
import { ConfirmModal } from '../../lib/confirm/ConfirmModal';
import {
  bulkDecisionConfirmation,
  completeConfirmation,
  extendConfirmation,
  revokeConfirmation,
  reviewConfirmation,
  type Confirmation,
} from '../../lib/confirm/text';
import { describeError } from '../../lib/errors';
import { viewerDate } from '../../lib/format';
import { completionFor, fieldLabel, jobKindLabel } from '../../lib/labels';
import { useEnv } from '../../lib/mount';
import { actionCall, availableActions, doneMessage, inputsError, needsRationale, type Action, type ActionCall, type ActionInputs } from './rules';

const DAY = 86_400_000;

export interface ActionsProps {
  ir: IssueRequest;
  /** The requester's display name, for the confirmation texts. */
  person: string;
  /** Sends an action's resolver call. */
  send: (call: ActionCall) => Promise<unknown>;
  /** Called after an action succeeded (reload the request). */
  onDone: () => void;
}

function confirmationOf(ir: IssueRequest, a: Action, inputs: ActionInputs, person: string, timeZone?: string): Confirmation {
  const line = { tool: ir.request.toolName, person, issueKey: ir.request.issueKey };
  switch (a.kind) {
    case 'approve':
    case 'deny':
      return bulkDecisionConfirmation(a.kind, [{ ...line, durationDays: ir.request.durationDays }], inputs.rationale);
    case 'extend': {
      const days = Number(inputs.days.trim()) || 0;
      const from = ir.grant?.grant.expiresAt ?? 0;
      return extendConfirmation(line, days, viewerDate(from + days * DAY, timeZone));
    }
    case 'revoke':
      return revokeConfirmation([line], inputs.rationale);
    case 'keep':
      return reviewConfirmation('keep', line);
    case 'reviewRevoke':
      return reviewConfirmation('revoke', line);
    case 'complete':
      return completeConfirmation(a.job ? jobKindLabel(a.job.kind) : 'Task', person, ir.request.toolName, ir.request.issueKey);
  }
}

/** The actions the viewer may take on this request, each behind a confirmation. */
export function Actions({ ir, person, send, onDone }: ActionsProps) {
  const { context } = useEnv();
  const actions = availableActions(ir);
  const [open, setOpen] = useState<Action | null>(null);
  const [inputs, setInputs] = useState<ActionInputs>({ rationale: '', days: '30', note: '' });
  const [touched, setTouched] = useState(false);
  const ids = { rationale: useId(), days: useId(), note: useId() };
  if (actions.length === 0) return null;
  const error = open ? inputsError(open.kind, inputs) : null;
  const set = (patch: Partial<ActionInputs>) => {
    setInputs((i) => ({ ...i, ...patch }));
    setTouched(true);
  };
  const confirm = async () => {
    if (!open) return;
    try {
      await send(actionCall(ir, open, inputs, (j) => completionFor(j.kind).outcome));
    } catch (e) {
      const d = describeError(e, { rationale: 'Rationale', days: 'Days', note: 'Notes' }, fieldLabel);
      throw new Error(d.fieldLabel ? `${d.fieldLabel}: ${d.message}` : d.message);
    }
    try {
      showFlag({ id: `aigis-${open.kind}-${Date.now()}`, title: doneMessage(open.kind), type: 'success', isAutoDismiss: true });
    } catch {
      /* a host without flags: the panel's reload shows the change */
    }
    onDone();
  };
  return (
    <div className="actions">
      <div className="buttons">
        {actions.map((a) => (
          <Button
            key={a.job ? `${a.kind}-${a.job.id}` : a.kind}
            appearance={a.kind === 'approve' || a.kind === 'keep' ? 'primary' : a.kind === 'revoke' || a.kind === 'reviewRevoke' || a.kind === 'deny' ? 'danger' : 'default'}
            onClick={() => {
              setOpen(a);
              setTouched(false);
              setInputs({ rationale: '', days: '30', note: '' });
            }}
          >
            {a.job ? `${a.label}: ${jobKindLabel(a.job.kind)}` : a.label}
          </Button>
        ))}
      </div>
      <ConfirmModal
        confirmation={open ? confirmationOf(ir, open, inputs, person, context.timezone) : null}
        onConfirm={confirm}
        onClose={() => setOpen(null)}
        isConfirmDisabled={error !== null}
      >
        {open?.kind === 'extend' ? (
          <div className="field">
            <label htmlFor={ids.days}>Days to add</label>
            <Textfield id={ids.days} type="number" min={1} max={180} value={inputs.days} onChange={(e) => set({ days: e.currentTarget.value })} />
          </div>
        ) : null}
        {open && open.kind !== 'complete' ? (
          <div className="field">
            <label htmlFor={ids.rationale}>{needsRationale(open.kind) ? 'Rationale' : 'Rationale (optional)'}</label>
            <TextArea id={ids.rationale} value={inputs.rationale} onChange={(e) => set({ rationale: e.currentTarget.value })} />
          </div>
        ) : null}
        {open?.kind === 'complete' ? (
          <div className="field">
            <label htmlFor={ids.note}>Fulfilment notes (optional)</label>
            <TextArea id={ids.note} value={inputs.note} onChange={(e) => set({ note: e.currentTarget.value })} />
          </div>
        ) : null}
        {touched && error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
      </ConfirmModal>
    </div>
  );
}
