import Button from '@atlaskit/button/new';
import Heading from '@atlaskit/heading';
import { Box, Inline, Stack, Text } from '@atlaskit/primitives';
import SectionMessage from '@atlaskit/section-message';
import Spinner from '@atlaskit/spinner';
import React, { useEffect, useState } from 'react';
import type { FieldError } from '../../lib/labels';
import { intakeFormOf, intakePatch, type DelegationRow, type IntakeForm, type RoleRow } from '../../lib/intake';
import { ApiError, call, errorWords } from '../global/rpc';
import { flag, useWantNames } from '../global/ui';
import { GroupsPicker, PortalPicker, ProjectPicker, RequestTypesPicker, RolePicker, UsersPicker } from './pickers';
import { TextRow, errorFor } from './fields';
import { labelled } from './tool-form';

function Section({ title, children }: { title: string; children: React.ReactNode }): React.JSX.Element {
  return (
    <Stack space="space.150">
      <Heading size="small" as="h2">
        {title}
      </Heading>
      {children}
    </Stack>
  );
}

function intakeErrorText(e: FieldError): string {
  return labelled(e).message;
}

/** Where requests come from and who approves them: every intake field, saved together. */
export function Intake(): React.JSX.Element {
  const [form, setForm] = useState<IntakeForm | null>(null);
  const [error, setError] = useState<FieldError | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const wantNames = useWantNames<string>((id) => [id]);
  useEffect(() => {
    call('config.getIntake', {}).then(
      (r) => {
        setForm(intakeFormOf(r.intake));
        const i = r.intake;
        if (i) wantNames([...i.escalationAccounts, ...i.delegations.flatMap((d) => [d.delegator, d.delegate])]);
      },
      (e: unknown) => setLoadError(errorWords(e)),
    );
    // Loaded once per visit.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  if (loadError)
    return (
      <SectionMessage appearance="error" title="The intake settings could not be loaded">
        <Text>{loadError}</Text>
      </SectionMessage>
    );
  if (!form) return <Spinner label="Loading the intake settings" />;
  const set = (k: keyof IntakeForm) => (v: string) => setForm({ ...form, [k]: v });
  const err = (k: string): string | null => {
    const m = errorFor(error, k);
    return m && error ? intakeErrorText(error) : null;
  };
  const row = (k: keyof IntakeForm, label: string, help?: string, type?: 'number'): React.JSX.Element => (
    <TextRow name={k} label={label} value={form[k] as string} onChange={set(k)} error={err(k)} help={help} type={type} />
  );
  const setRole = (i: number, part: keyof RoleRow, v: string): void =>
    setForm({ ...form, approverRoles: form.approverRoles.map((r, j) => (j === i ? { ...r, [part]: v } : r)) });
  const setDelegation = (i: number, part: keyof DelegationRow, v: string): void =>
    setForm({ ...form, delegations: form.delegations.map((d, j) => (j === i ? { ...d, [part]: v } : d)) });
  const save = async (): Promise<void> => {
    const r = intakePatch(form);
    if ('error' in r) return setError(r.error);
    setBusy(true);
    try {
      const out = await call('config.setIntake', r.payload);
      setForm(intakeFormOf(out.intake));
      setError(null);
      flag('success', out.changed ? 'Intake saved' : 'Nothing changed');
    } catch (e) {
      if (e instanceof ApiError && e.field) setError({ field: e.field, message: e.message });
      else setError({ field: '', message: errorWords(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack space="space.400">
      <Section title="Where requests come from">
        <ProjectPicker name="projectKey" label="Jira project" value={form.projectKey} onChange={set('projectKey')} error={err('projectKey')} help="The service project whose issues are AI access requests." />
        <PortalPicker name="serviceDeskId" label="Portal" projectKey={form.projectKey} value={form.serviceDeskId} onChange={set('serviceDeskId')} error={err('serviceDeskId')} help="When set, only its request types count." />
        <RequestTypesPicker name="requestTypeIds" label="Request types" portalId={form.serviceDeskId} value={form.requestTypeIds} onChange={set('requestTypeIds')} error={err('requestTypeIds')} help="None chosen: every request type of the portal." />
      </Section>
      <Section title="Who approves">
        <GroupsPicker name="approverGroups" label="Approver groups" value={form.approverGroups} onChange={set('approverGroups')} error={err('approverGroups')} help="Jira administrators always may approve." />
        <Text weight="medium">Approver project roles</Text>
        {form.approverRoles.map((r, i) => (
          <Inline key={i} space="space.100" alignBlock="end" shouldWrap>
            <TextRow name={`approverRoles[${i}].projectKey`} label={`Role ${i + 1}: project key`} value={r.projectKey} onChange={(v) => setRole(i, 'projectKey', v)} error={err(`approverRoles[${i}].projectKey`)} />
            <RolePicker name={`approverRoles[${i}].roleId`} label={`Role ${i + 1}: role`} projectKey={r.projectKey.trim().toUpperCase()} value={r.roleId} onChange={(v) => setRole(i, 'roleId', v)} error={err(`approverRoles[${i}].roleId`)} />
            <Button appearance="subtle" onClick={() => setForm({ ...form, approverRoles: form.approverRoles.filter((_, j) => j !== i) })}>
              Remove role {i + 1}
            </Button>
          </Inline>
        ))}
        <Box>
          <Button onClick={() => setForm({ ...form, approverRoles: [...form.approverRoles, { projectKey: form.projectKey, roleId: '' }] })}>Add a role</Button>
        </Box>
        <Text weight="medium">Delegations</Text>
        {form.delegations.map((d, i) => (
          <Inline key={i} space="space.100" alignBlock="end" shouldWrap>
            <UsersPicker isMulti={false} name={`delegations[${i}].delegator`} label={`Delegation ${i + 1}: approver`} value={d.delegator} onChange={(v) => setDelegation(i, 'delegator', v)} error={err(`delegations[${i}].delegator`)} />
            <UsersPicker isMulti={false} name={`delegations[${i}].delegate`} label={`Delegation ${i + 1}: stands in`} value={d.delegate} onChange={(v) => setDelegation(i, 'delegate', v)} error={err(`delegations[${i}].delegate`)} />
            <TextRow name={`delegations[${i}].until`} type="datetime-local" label={`Delegation ${i + 1}: ends`} value={d.until} onChange={(v) => setDelegation(i, 'until', v)} error={err(`delegations[${i}].until`)} />
            <Button appearance="subtle" onClick={() => setForm({ ...form, delegations: form.delegations.filter((_, j) => j !== i) })}>
              Remove delegation {i + 1}
            </Button>
          </Inline>
        ))}
        <Box>
          <Button onClick={() => setForm({ ...form, delegations: [...form.delegations, { delegator: '', delegate: '', until: '' }] })}>Add a delegation</Button>
        </Box>
      </Section>
      <Section title="Approval SLA and escalation">
        {row('approvalSlaHours', 'Approval SLA (hours)', '1 to 720; blank for none.', 'number')}
        <UsersPicker name="escalationAccounts" label="Escalate to people" value={form.escalationAccounts} onChange={set('escalationAccounts')} error={err('escalationAccounts')} help="Told when a request waits past the SLA." />
        <GroupsPicker isMulti={false} name="escalationGroup" label="Escalate to group" value={form.escalationGroup} onChange={set('escalationGroup')} error={err('escalationGroup')} />
      </Section>
      <Section title="Reviews before expiry">
        {row('reviewIssueType', 'Review issue type', 'The issue type of review issues, e.g. Task.')}
        {row('reviewWindowDays', 'Review window (days)', '1 to 90 days before a grant ends.', 'number')}
      </Section>
      <Section title="Retention">{row('auditRetentionDays', 'Audit retention (days)', '90 to 3650; older events are pruned behind a signed anchor.', 'number')}</Section>
      {error && (
        <SectionMessage appearance="error" title="Not saved">
          <Text>{intakeErrorText(error)}</Text>
        </SectionMessage>
      )}
      <Box>
        <Button appearance="primary" onClick={() => void save()} isLoading={busy} testId="intake-save">
          Save intake
        </Button>
      </Box>
    </Stack>
  );
}
