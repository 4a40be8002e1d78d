import Heading from '@atlaskit/heading';
import SectionMessage from '@atlaskit/section-message';
import { useEffect, useState } from 'react';
import type { IssueRequest } from '../../generated/api';
import { Empty } from '../../lib/components/Empty';
import { ErrorMessage } from '../../lib/components/ErrorMessage';
import { Loading } from '../../lib/components/Loading';
import { StateLozenge } from '../../lib/components/StateLozenge';
import { ToolName } from '../../lib/components/ToolName';
import { UserName } from '../../lib/components/UserName';
import { toApiError } from '../../lib/errors';
import { expiryLabel, viewerTime } from '../../lib/format';
import { useAsync } from '../../lib/hooks';
import { days, decisionSourceLabel, jobKindLabel, modeLabel } from '../../lib/labels';
import { useEnv } from '../../lib/mount';
import { nextStep } from '../../lib/next-step';
import { Actions } from './Actions';
import type { ActionCall } from './rules';
import { Trail } from './Trail';

export interface IssuePanelProps {
  issueKey: string | null;
  load: (issueKey: string) => Promise<IssueRequest>;
  send: (call: ActionCall) => Promise<unknown>;
}

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

/** jira:issuePanel: the AI access request behind this issue, its decision, grant, jobs and audit trail. */
export function IssuePanel({ issueKey, load, send }: IssuePanelProps) {
  const { context, names, now } = useEnv();
  const [state, reload] = useAsync(() => (issueKey ? load(issueKey) : Promise.reject(new Error('no issue'))), [issueKey, load]);
  const [person, setPerson] = useState('the requester');
  const requester = state.state === 'ready' ? state.value.request.requester : null;
  useEffect(() => {
    if (requester) void names.name(requester).then(setPerson);
  }, [requester, names]);

  if (!issueKey) return <Empty title="No issue">This panel shows the AI access request of an issue.</Empty>;
  if (state.state === 'loading') return <Loading label="Loading the access request" />;
  if (state.state === 'failed') {
    if (toApiError(state.error).code === 'not-found') {
      return <Empty title="No AI access request">This issue is not an AI tool access request.</Empty>;
    }
    return <ErrorMessage error={state.error} />;
  }
  const ir = state.value;
  const r = ir.request;
  const d = ir.decision;
  const g = ir.grant;
  const tz = context.timezone;
  return (
    <div className="panel">
      <section aria-labelledby="req-h">
        <Heading size="small" as="h2" id="req-h">
          Request
        </Heading>
        <dl className="facts">
          <Row label="Tool">
            <ToolName name={r.toolName} id={r.tool} />
            {r.securityReview ? ' (not in the catalog: security review)' : ''}
          </Row>
          <Row label="For">
            <UserName accountId={r.requester} />
          </Row>
          {r.raisedBy ? (
            <Row label="Raised by">
              <UserName accountId={r.raisedBy} />
            </Row>
          ) : null}
          <Row label="Purpose">{r.purpose}</Row>
          <Row label="Duration">{days(r.durationDays)}</Row>
        </dl>
      </section>

      <section aria-labelledby="dec-h">
        <Heading size="small" as="h2" id="dec-h">
          Decision
        </Heading>
        <dl className="facts">
          <Row label="State">
            <StateLozenge kind="decision" value={d.decision} />
          </Row>
          {d.by ? (
            <Row label="Decided">
              {d.source === 'autoPolicy' ? decisionSourceLabel('autoPolicy') : <UserName accountId={d.by} />}
              {d.at ? ` · ${viewerTime(d.at, tz)}` : ''}
            </Row>
          ) : null}
          {d.policy ? <Row label="Policy">{d.policy}</Row> : null}
          {d.governanceVersion != null ? <Row label="Governance">version {d.governanceVersion}</Row> : null}
          {d.rationale ? <Row label="Rationale">{d.rationale}</Row> : null}
        </dl>
        <p className="next">{nextStep(ir)}</p>
      </section>

      {g ? (
        <section aria-labelledby="grant-h">
          <Heading size="small" as="h2" id="grant-h">
            Grant
          </Heading>
          <dl className="facts">
            <Row label="State">
              <StateLozenge kind="grant" value={g.grant.status} />
            </Row>
            <Row label="Expires">
              {viewerTime(g.grant.expiresAt, tz)} ({g.expiryLabel ?? expiryLabel(g.grant.expiresAt, now(), tz)})
            </Row>
          </dl>
        </section>
      ) : null}

      {ir.jobs.length > 0 ? (
        <section aria-labelledby="jobs-h">
          <Heading size="small" as="h2" id="jobs-h">
            Provisioning
          </Heading>
          <ul className="jobs">
            {ir.jobs.map((j) => (
              <li key={j.id}>
                {jobKindLabel(j.kind)} · {modeLabel(j.mode)} · <StateLozenge kind="job" value={j.status} />
                {j.attempts > 1 ? ` · ${j.attempts} attempts` : ''}
                {j.completedBy ? (
                  <>
                    {' '}
                    · done by <UserName accountId={j.completedBy} />
                  </>
                ) : null}
                {j.note ? ` · ${j.note}` : ''}
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <Actions ir={ir} person={person} send={send} onDone={reload} />

      <section aria-labelledby="trail-h">
        <Heading size="small" as="h2" id="trail-h">
          Audit trail
        </Heading>
        <Trail trail={ir.trail} />
      </section>
      {ir.trail.length === 0 && r.decision !== 'pending' ? (
        <SectionMessage appearance="warning">
          <p>No audit events were found for this request.</p>
        </SectionMessage>
      ) : null}
    </div>
  );
}
