import Lozenge from '@atlaskit/lozenge';
import { Stack, Text } from '@atlaskit/primitives';
import DynamicTable from '@atlaskit/dynamic-table';
import React from 'react';

const CONNECTORS = [
  { id: 'okta', name: 'Okta', does: 'Adds and removes people in the Okta group of a tool.' },
  { id: 'entra', name: 'Microsoft Entra ID', does: 'Adds and removes people in the Entra group of a tool.' },
];

/** The connectors there will be, honestly shown as not configured: access is given by hand (Manual tasks). */
export function Connectors(): React.JSX.Element {
  return (
    <Stack space="space.200">
      <Text as="p">
        No connector is configured: every grant is fulfilled by hand from Manual tasks on the AI access page. A tool's identity
        service group (in the Catalog) is kept for when a connector can manage it.
      </Text>
      <DynamicTable
        caption="Connectors"
        head={{ cells: [{ key: 'name', content: 'Connector' }, { key: 'does', content: 'What it will do' }, { key: 'state', content: 'State' }] }}
        rows={CONNECTORS.map((c) => ({
          key: c.id,
          cells: [
            { key: 'name', content: c.name },
            { key: 'does', content: c.does },
            { key: 'state', content: <Lozenge>Not configured</Lozenge> },
          ],
        }))}
      />
    </Stack>
  );
}
