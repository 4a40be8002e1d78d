import Heading from '@atlaskit/heading';
import { Grid, Stack, Text } from '@atlaskit/primitives';
import SectionMessage, { SectionMessageAction } from '@atlaskit/section-message';
import Spinner from '@atlaskit/spinner';
import React, { useEffect, useState } from 'react';
import type { Readiness } from '../../generated/api';
import { call, errorWords } from '../global/rpc';
import { Forecast } from './Forecast';
import { checkTitle, fixFor, type AdminRoute } from './routes';

const APPEARANCE = { ok: 'success', missing: 'error', warning: 'warning' } as const;

/** Readiness cards, each linking to the page where it is fixed. */
export function Overview({ go, timeZone }: { go: (r: AdminRoute) => void; timeZone?: string }): React.JSX.Element {
  const [ready, setReady] = useState<Readiness | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    call('readiness', {}).then(setReady, (e: unknown) => setError(errorWords(e)));
  }, []);
  return (
    <Stack space="space.300">
      <Stack space="space.150">
        <Heading size="medium" as="h2">
          Readiness
        </Heading>
        {error && (
          <SectionMessage appearance="error" title="Readiness could not be checked">
            <Text>{error}</Text>
          </SectionMessage>
        )}
        {!ready && !error && <Spinner label="Checking readiness" />}
        {ready && (
          <Text as="p">{ready.ready ? 'Aigis is ready: requests are governed end to end.' : 'Some things are missing before requests are governed. Each card links to where it is fixed.'}</Text>
        )}
        {ready && (
          <Grid templateColumns="repeat(auto-fill, minmax(16rem, 1fr))" gap="space.150" testId="readiness-cards">
            {ready.checks.map((c) => {
              const fix = fixFor(c.check);
              return (
                <SectionMessage
                  key={c.check}
                  appearance={APPEARANCE[c.status as keyof typeof APPEARANCE] ?? 'information'}
                  title={checkTitle(c.check)}
                  actions={
                    c.status === 'ok'
                      ? []
                      : [
                          <SectionMessageAction key="fix" onClick={() => go(fix.route)}>
                            {`${fix.what} in ${fix.title}`}
                          </SectionMessageAction>,
                        ]
                  }
                >
                  <Text>{c.message}</Text>
                </SectionMessage>
              );
            })}
          </Grid>
        )}
      </Stack>
      <Forecast timeZone={timeZone} />
    </Stack>
  );
}
