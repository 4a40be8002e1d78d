import Lozenge from '@atlaskit/lozenge';
import type { Decision, GrantStatus, JobStatus, Risk } from '../../generated/api';
import { decisionLabel, grantStatusLabel, jobStatusLabel, riskLabel } from '../labels';

type Appearance = 'default' | 'inprogress' | 'moved' | 'new' | 'removed' | 'success';

export type StateOf =
  | { kind: 'decision'; value: Decision }
  | { kind: 'grant'; value: GrantStatus }
  | { kind: 'job'; value: JobStatus }
  | { kind: 'risk'; value: Risk };

const DECISION: Record<Decision, Appearance> = { pending: 'inprogress', approved: 'success', denied: 'removed' };
const GRANT: Record<GrantStatus, Appearance> = {
  pendingProvision: 'inprogress',
  active: 'success',
  expired: 'default',
  revoked: 'removed',
};
const JOB: Record<JobStatus, Appearance> = {
  queued: 'new',
  running: 'inprogress',
  succeeded: 'success',
  retry: 'moved',
  deadLetter: 'removed',
  manualPending: 'moved',
  completed: 'success',
};
const RISK: Record<Risk, Appearance> = { low: 'success', medium: 'moved', high: 'removed', critical: 'removed' };

/** The lozenge appearance and label of a state. */
export function stateLook(s: StateOf): { appearance: Appearance; label: string } {
  switch (s.kind) {
    case 'decision':
      return { appearance: DECISION[s.value] ?? 'default', label: decisionLabel(s.value) };
    case 'grant':
      return { appearance: GRANT[s.value] ?? 'default', label: grantStatusLabel(s.value) };
    case 'job':
      return { appearance: JOB[s.value] ?? 'default', label: jobStatusLabel(s.value) };
    case 'risk':
      return { appearance: RISK[s.value] ?? 'default', label: `${riskLabel(s.value)} risk` };
  }
}

/** A decision, grant, job or risk state as a lozenge. */
export function StateLozenge(props: StateOf) {
  const { appearance, label } = stateLook(props);
  return <Lozenge appearance={appearance}>{label}</Lozenge>;
}
