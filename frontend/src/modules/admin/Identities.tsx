// Admin › Connectors › Identities: who a Jira user is at one connector's
// provider. Everyone is matched by e-mail address (exact, case-insensitive;
// several matches are refused as ambiguous, never guessed); an explicit
// mapping set here wins over the e-mail match.

import Button from '@atlaskit/button/new';
import Heading from '@atlaskit/heading';
import Lozenge from '@atlaskit/lozenge';
import { Box, Inline, Stack, Text, xcss } from '@atlaskit/primitives';
import SectionMessage from '@atlaskit/section-message';
import React, { useState } from 'react';
import type { ConnectorOut, IdentityRecord } from '../../generated/api';
import { formatDateTime, type FieldError } from '../../lib/labels';
import { DataTable, type Column } from '../../lib/table/DataTable';
import { ApiError, call } from '../global/rpc';
import { Person, flag, useWantNames } from '../global/ui';
import { identityPayload, typeLabel } from './connector-form';
import { TextRow, errorFor } from './fields';
import { UsersPicker } from './pickers';

const frame = xcss({
  borderColor: 'color.border',
  borderStyle: 'solid',
  borderWidth: 'border.width',
  borderRadius: 'radius.medium',
  padding: 'space.200',
});

/** The provider's word for its user id. */
function idWord(c: ConnectorOut): string {
  return c.connector.type === 'okta-group' ? 'Okta user id (00u…)' : 'Entra user object id';
}

export function Identities({ connector, timeZone, onClose }: { connector: ConnectorOut; timeZone?: string; onClose: () => void }): React.JSX.Element {
  const c = connector.connector;
  const [reload, setReload] = useState(0);
  const [account, setAccount] = useState('');
  const [externalId, setExternalId] = useState('');
  const [error, setError] = useState<FieldError | null>(null);
  const [busy, setBusy] = useState(false);
  const wantNames = useWantNames<IdentityRecord>((r) => [r.account]);
  const refresh = (): void => setReload((n) => n + 1);

  const add = async (): Promise<void> => {
    const r = identityPayload(c.id, account, externalId);
    if ('error' in r) return setError(r.error);
    setBusy(true);
    setError(null);
    try {
      const done = await call('identities.set', r.payload);
      flag('success', done.changed ? 'Mapping saved' : 'Already mapped so');
      setAccount('');
      setExternalId('');
      refresh();
    } catch (e) {
      const field = e instanceof ApiError ? (e.field ?? '') : '';
      const message = e instanceof Error ? e.message : 'Not saved.';
      setError({ field, message: field === 'externalId' ? `User id at the provider: ${message.replace(/^externalId: /, '')}` : message });
    } finally {
      setBusy(false);
    }
  };
  const remove = async (r: IdentityRecord): Promise<void> => {
    try {
      await call('identities.remove', { connector: c.id, account: r.account });
      flag('success', 'Mapping removed', 'This person is matched by e-mail address again.');
      refresh();
    } catch (e) {
      flag('error', 'Not removed', e instanceof Error ? e.message : undefined);
    }
  };
  const columns: Column<IdentityRecord>[] = [
    { key: 'person', header: 'Jira user', cell: (r) => <Person accountId={r.account} /> },
    { key: 'external', header: 'User at the provider', cell: (r) => <code>{r.externalId}</code> },
    { key: 'how', header: 'How matched', cell: () => <Lozenge appearance="inprogress">Explicit mapping</Lozenge> },
    { key: 'at', header: 'Set on', cell: (r) => formatDateTime(r.updatedAt, timeZone) },
    {
      key: 'actions',
      header: 'Actions',
      cell: (r) => (
        <Button spacing="compact" onClick={() => void remove(r)} testId={`unmap-${r.account}`}>
          Remove
        </Button>
      ),
    },
  ];
  const unplaced = error && !['account', 'externalId'].some((k) => errorFor(error, k));
  return (
    <Box xcss={frame} testId="identities">
      <Stack space="space.150">
        <Inline spread="space-between" alignBlock="center" shouldWrap>
          <Heading size="small" as="h2">
            Identities at {c.name}
          </Heading>
          <Button appearance="subtle" onClick={onClose}>
            Close
          </Button>
        </Inline>
        <Text as="p">
          Aigis finds each person in {typeLabel(c.type)} by e-mail address: the one user whose address equals their Jira address, ignoring case. When
          none or several match, the task stops as “identity unresolved” and nothing is guessed. Map a person here when their addresses differ.
        </Text>
        <DataTable
          caption={`Explicit identity mappings of ${c.name}`}
          columns={columns}
          rowId={(r) => r.account}
          reloadKey={reload}
          onRows={wantNames}
          load={async () => ({ items: (await call('identities.list', { connector: c.id })).identities, nextCursor: null })}
          empty="No explicit mapping: everyone is matched by e-mail address."
          testId="identity-table"
        />
        <Heading size="xsmall" as="h3">
          Add a mapping
        </Heading>
        <UsersPicker name="account" label="Jira user" isMulti={false} value={account} onChange={setAccount} error={errorFor(error, 'account')} />
        <TextRow name="externalId" label={`User id at the provider (${idWord(connector)})`} value={externalId} onChange={setExternalId} error={errorFor(error, 'externalId')} />
        {unplaced && (
          <SectionMessage appearance="error" title="Not saved">
            <Text>{error!.message}</Text>
          </SectionMessage>
        )}
        <Inline>
          <Button appearance="primary" onClick={() => void add()} isLoading={busy} testId="identity-add">
            Save mapping
          </Button>
        </Inline>
      </Stack>
    </Box>
  );
}
