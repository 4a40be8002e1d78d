import Button from '@atlaskit/button/new';
import Checkbox from '@atlaskit/checkbox';
import Heading from '@atlaskit/heading';
import { Box, Inline, Stack, Text } from '@atlaskit/primitives';
import SectionMessage from '@atlaskit/section-message';
import Spinner from '@atlaskit/spinner';
import React, { useEffect, useState } from 'react';
import { RISKS, UNKNOWN_TOOLS, fieldLabel, formatDateTime, governancePatch, policyPayload, riskLabel, slugify, unknownToolsLabel, type FieldError, type GovernanceForm, type PolicyForm } from '../../lib/labels';
import type { Governance as Rules, Policy, VersionSummary } from '../../generated/api';
import { ConfirmModal } from '../../lib/confirm/ConfirmModal';
import { deletePolicyConfirmation } from '../../lib/confirm/text';
import { DataTable, type Column } from '../../lib/table/DataTable';
import { ApiError, call, errorWords } from '../global/rpc';
import { Person, flag, useWantNames } from '../global/ui';
import { SelectRow, TextRow, errorFor } from './fields';

function formOf(g: Rules): GovernanceForm {
  return {
    maxDays: { low: String(g.maxDays.low), medium: String(g.maxDays.medium), high: String(g.maxDays.high), critical: String(g.maxDays.critical) },
    securityReviewRisks: [...g.securityReviewRisks],
    securityReviewerGroup: g.securityReviewerGroup ?? '',
    unknownTools: g.unknownTools,
    maxCriticalPerPerson: String(g.maxCriticalPerPerson),
    note: '',
  };
}

const EMPTY_POLICY: PolicyForm = { id: '', name: '', projectKey: '', toolId: '', autoApprove: true, allowedGroups: '', maxDurationDays: '30' };

function said(e: FieldError): string {
  const label = fieldLabel(e.field);
  return e.message.startsWith(label) ? e.message : `${label}: ${e.message}`;
}

function caught(e: unknown): FieldError {
  return e instanceof ApiError ? { field: e.field ?? '', message: e.message } : { field: '', message: errorWords(e) };
}

/** The rules in force, their versions, and the auto-approval policies. */
export function Governance(): React.JSX.Element {
  const [rules, setRules] = useState<Rules | null>(null);
  const [form, setForm] = useState<GovernanceForm | null>(null);
  const [error, setError] = useState<FieldError | null>(null);
  const [reload, setReload] = useState(0);
  const [policy, setPolicy] = useState<PolicyForm>(EMPTY_POLICY);
  const [policyError, setPolicyError] = useState<FieldError | null>(null);
  const [deleting, setDeleting] = useState<Policy | null>(null);
  const wantNames = useWantNames<VersionSummary>((v) => [v.createdBy]);
  useEffect(() => {
    call('governance.get', {}).then(
      (r) => {
        setRules(r.governance);
        setForm(formOf(r.governance));
      },
      (e: unknown) => setError(caught(e)),
    );
  }, [reload]);
  if (!form || !rules) return error ? <SectionMessage appearance="error" title="Not loaded"><Text>{error.message}</Text></SectionMessage> : <Spinner label="Loading the governance rules" />;

  const save = async (): Promise<void> => {
    const r = governancePatch(form);
    if ('error' in r) return setError(r.error);
    try {
      const out = await call('governance.set', r.payload);
      flag('success', `Governance version ${out.governance.version} saved`);
      setError(null);
      setReload((n) => n + 1);
    } catch (e) {
      setError(caught(e));
    }
  };
  const savePolicy = async (): Promise<void> => {
    const r = policyPayload({ ...policy, id: policy.id || slugify(policy.name) });
    if ('error' in r) return setPolicyError(r.error);
    try {
      const out = await call('policies.save', r.payload);
      flag('success', `Policy ${out.policy.name} saved (governance version ${out.governanceVersion})`);
      setPolicy(EMPTY_POLICY);
      setPolicyError(null);
      setReload((n) => n + 1);
    } catch (e) {
      setPolicyError(caught(e));
    }
  };
  const versions: Column<VersionSummary>[] = [
    { key: 'v', header: 'Version', cell: (v) => String(v.version) },
    { key: 'at', header: 'Saved', cell: (v) => formatDateTime(v.createdAt) },
    { key: 'by', header: 'By', cell: (v) => <Person accountId={v.createdBy} /> },
    { key: 'note', header: 'Note', cell: (v) => v.note },
    { key: 'policies', header: 'Policies', cell: (v) => String(v.policies) },
  ];
  const policies: Column<Policy>[] = [
    { key: 'name', header: 'Policy', cell: (p) => p.name },
    { key: 'project', header: 'Project', cell: (p) => p.projectKey },
    { key: 'tool', header: 'Tool', cell: (p) => p.toolId ?? 'every tool' },
    { key: 'groups', header: 'Requester groups', cell: (p) => p.allowedGroups.join(', ') },
    { key: 'max', header: 'Up to', cell: (p) => `${p.maxDurationDays} days` },
    { key: 'auto', header: 'Auto-approves', cell: (p) => (p.autoApprove ? 'yes' : 'no') },
    { key: 'del', header: 'Actions', cell: (p) => <Button spacing="compact" appearance="danger" onClick={() => setDeleting(p)}>Delete</Button> },
  ];
  return (
    <Stack space="space.400">
      <Stack space="space.150">
        <Heading size="small" as="h2">
          Rules in force (version {rules.version})
        </Heading>
        <Inline space="space.150" shouldWrap>
          {RISKS.map((r) => (
            <TextRow key={r} name={`maxDays.${r}`} type="number" label={`Longest grant, ${riskLabel(r).toLowerCase()} risk (days)`} value={form.maxDays[r]} onChange={(v) => setForm({ ...form, maxDays: { ...form.maxDays, [r]: v } })} error={errorFor(error, `maxDays.${r}`) && said(error!)} />
          ))}
        </Inline>
        <Text weight="medium">Risk levels only a security reviewer may approve</Text>
        <Inline space="space.150">
          {RISKS.map((r) => (
            <Checkbox
              key={r}
              label={riskLabel(r)}
              isChecked={form.securityReviewRisks.includes(r)}
              onChange={(e) =>
                setForm({ ...form, securityReviewRisks: e.currentTarget.checked ? [...form.securityReviewRisks, r] : form.securityReviewRisks.filter((x) => x !== r) })
              }
            />
          ))}
        </Inline>
        <TextRow name="securityReviewerGroup" label="Security reviewer group" value={form.securityReviewerGroup} onChange={(v) => setForm({ ...form, securityReviewerGroup: v })} error={errorFor(error, 'securityReviewerGroup') && said(error!)} />
        <SelectRow name="unknownTools" label="Requests for tools not in the catalog" value={form.unknownTools} options={UNKNOWN_TOOLS.map((u) => ({ value: u, label: unknownToolsLabel(u) }))} onChange={(v) => setForm({ ...form, unknownTools: v })} error={errorFor(error, 'unknownTools') && said(error!)} />
        <TextRow name="maxCriticalPerPerson" type="number" label="Most open critical-risk grants per person" value={form.maxCriticalPerPerson} onChange={(v) => setForm({ ...form, maxCriticalPerPerson: v })} error={errorFor(error, 'maxCriticalPerPerson') && said(error!)} />
        <TextRow name="note" label="Note for this version" value={form.note} onChange={(v) => setForm({ ...form, note: v })} error={errorFor(error, 'note') && said(error!)} />
        {error && !error.field && (
          <SectionMessage appearance="error" title="Not saved">
            <Text>{error.message}</Text>
          </SectionMessage>
        )}
        <Box>
          <Button appearance="primary" onClick={() => void save()} testId="governance-save">
            Save as a new version
          </Button>
        </Box>
      </Stack>
      <Stack space="space.150">
        <Heading size="small" as="h2">
          Auto-approval policies
        </Heading>
        <DataTable caption="Auto-approval policies" columns={policies} rowId={(p) => p.id} reloadKey={reload} load={async () => ({ items: (await call('policies.list', {})).policies, nextCursor: null })} empty="No policies: every request waits for a person." />
        <Inline space="space.150" alignBlock="end" shouldWrap>
          <TextRow name="name" label="Policy name" value={policy.name} onChange={(v) => setPolicy({ ...policy, name: v })} error={errorFor(policyError, 'name') && said(policyError!)} />
          <TextRow name="projectKey" label="Project key" value={policy.projectKey} onChange={(v) => setPolicy({ ...policy, projectKey: v })} error={errorFor(policyError, 'projectKey') && said(policyError!)} />
          <TextRow name="toolId" label="Tool id (blank: every tool)" value={policy.toolId} onChange={(v) => setPolicy({ ...policy, toolId: v })} error={errorFor(policyError, 'toolId') && said(policyError!)} />
          <TextRow name="allowedGroups" label="Requester groups" value={policy.allowedGroups} onChange={(v) => setPolicy({ ...policy, allowedGroups: v })} error={errorFor(policyError, 'allowedGroups') && said(policyError!)} />
          <TextRow name="policyMaxDays" type="number" label="Longest duration (days)" value={policy.maxDurationDays} onChange={(v) => setPolicy({ ...policy, maxDurationDays: v })} error={errorFor(policyError, 'maxDurationDays') && said(policyError!)} />
          <Button onClick={() => void savePolicy()}>Save policy</Button>
        </Inline>
        {policyError && !['name', 'projectKey', 'toolId', 'allowedGroups', 'maxDurationDays'].includes(policyError.field) && <Text color="color.text.danger">{said(policyError)}</Text>}
      </Stack>
      <Stack space="space.150">
        <Heading size="small" as="h2">
          Versions
        </Heading>
        <DataTable caption="Governance versions" onRows={wantNames} columns={versions} rowId={(v) => String(v.version)} reloadKey={reload} load={async () => ({ items: (await call('governance.list', {})).versions, nextCursor: null })} empty="Only the built-in default so far." />
      </Stack>
      <ConfirmModal
        confirmation={deleting ? deletePolicyConfirmation(deleting.name) : null}
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          if (!deleting) return;
          await call('policies.delete', { id: deleting.id });
          flag('success', `Policy ${deleting.name} deleted`);
          setReload((n) => n + 1);
        }}
      />
    </Stack>
  );
}
