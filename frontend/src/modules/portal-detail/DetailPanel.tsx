import type { IssueRequest } from '../../generated/api';
import { Empty } from '../../lib/components/Empty';
import { ErrorMessage } from '../../lib/components/ErrorMessage';
import { Loading } from '../../lib/components/Loading';
import { StateLozenge } from '../../lib/components/StateLozenge';
import { ToolName } from '../../lib/components/ToolName';
import { toApiError } from '../../lib/errors';
import { expiryLabel, viewerDate, viewerTime } from '../../lib/format';
import { useAsync } from '../../lib/hooks';
import { days } from '../../lib/labels';
import { useEnv } from '../../lib/mount';
import { nextStep } from '../../lib/next-step';

export interface DetailPanelProps {
  issueKey: string | null;
  load: (issueKey: string) => Promise<IssueRequest>;
}

/** The expiry words a requester reads: the backend's label, else the same rule here. */
export function grantExpiry(ir: IssueRequest, now: number, timeZone?: string): string | null {
  if (!ir.grant) return null;
  return ir.grant.expiryLabel ?? expiryLabel(ir.grant.grant.expiresAt, now, timeZone);
}

/** jiraServiceManagement:portalRequestDetailPanel: the requester's view of their request. */
export function DetailPanel({ issueKey, load }: DetailPanelProps) {
  const { context, now } = useEnv();
  const [state] = useAsync(() => (issueKey ? load(issueKey) : Promise.reject(new Error('no request'))), [issueKey, load]);
  if (!issueKey) return <Empty title="No request">This panel shows an AI tool access request.</Empty>;
  if (state.state === 'loading') return <Loading label="Loading your request" />;
  if (state.state === 'failed') {
    if (toApiError(state.error).code === 'not-found') return <Empty title="No AI tool access on this request" />;
    return <ErrorMessage error={state.error} />;
  }
  const ir = state.value;
  const tz = context.timezone;
  const g = ir.grant;
  return (
    <div className="detail">
      <dl className="facts">
        <dt>Tool</dt>
        <dd>
          <ToolName name={ir.request.toolName} id={ir.request.tool} /> for {days(ir.request.durationDays)}
        </dd>
        <dt>Decision</dt>
        <dd>
          <StateLozenge kind="decision" value={ir.decision.decision} />
          {ir.decision.at ? ` on ${viewerDate(ir.decision.at, tz)}` : ''}
        </dd>
        {ir.decision.rationale ? (
          <>
            <dt>Reason</dt>
            <dd>{ir.decision.rationale}</dd>
          </>
        ) : null}
        {g ? (
          <>
            <dt>Access</dt>
            <dd>
              <StateLozenge kind="grant" value={g.grant.status} />
            </dd>
            <dt>Expires</dt>
            <dd>
              {viewerTime(g.grant.expiresAt, tz)} · <strong>{grantExpiry(ir, now(), tz)}</strong>
            </dd>
          </>
        ) : null}
      </dl>
      <p className="next">
        <strong>What happens next: </strong>
        {nextStep(ir)}
      </p>
    </div>
  );
}
