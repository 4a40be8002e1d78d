import Heading from '@atlaskit/heading';
import { Grid, Stack, Text } from '@atlaskit/primitives';
import SectionMessage from '@atlaskit/section-message';
import Spinner from '@atlaskit/spinner';
import React, { useEffect, useState } from 'react';
import { formatDateTime } from '../../lib/labels';
import type { Due, Forecast as Data } from '../../generated/api';
import { call, errorWords } from '../global/rpc';
import { IssueLink, Person, useWantNames } from '../global/ui';

/** At most this many items of each list are named; the count says the rest. */
const SHOWN = 5;

function DueList({ title, items, empty, timeZone }: { title: string; items: Due[]; empty: string; timeZone?: string }): React.JSX.Element {
  return (
    <Stack space="space.075">
      <Text weight="bold">
        {title}: {items.length}
      </Text>
      {items.length === 0 ? (
        <Text color="color.text.subtle">{empty}</Text>
      ) : (
        <ul>
          {items.slice(0, SHOWN).map((d) => (
            <li key={`${d.id}-${d.at}`}>
              <IssueLink issueKey={d.issueKey} /> <Text>{d.tool}</Text> · <Person accountId={d.account} /> · <Text>{formatDateTime(d.at, timeZone)}</Text>
            </li>
          ))}
          {items.length > SHOWN && (
            <li>
              <Text color="color.text.subtle">and {items.length - SHOWN} more</Text>
            </li>
          )}
        </ul>
      )}
    </Stack>
  );
}

/** What the sweeps will do in the next 7 and 30 days: expiries, reviews opened, approval SLA breaches. */
export function Forecast({ timeZone }: { timeZone?: string }): React.JSX.Element {
  const [data, setData] = useState<Data | null>(null);
  const [error, setError] = useState<string | null>(null);
  const want = useWantNames<Due>((d) => [d.account]);
  useEffect(() => {
    call('overview.forecast', {}).then(
      (f) => {
        setData(f);
        want([...f.breached, ...f.horizons.flatMap((h) => [...h.expiring, ...h.needsReview, ...h.slaBreaches])]);
      },
      (e: unknown) => setError(errorWords(e)),
    );
    // Loaded once per visit of the page.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <Stack space="space.150">
      <Heading size="medium" as="h2">
        Forecast
      </Heading>
      {error && (
        <SectionMessage appearance="error" title="The forecast could not be made">
          <Text>{error}</Text>
        </SectionMessage>
      )}
      {!data && !error && <Spinner label="Making the forecast" />}
      {data && (
        <>
          <Text as="p">
            As the sweeps will compute it: reviews open {data.reviewWindowDays} days before a grant ends;{' '}
            {data.slaHours ? `a request waiting more than ${data.slaHours} hours is escalated.` : 'no approval SLA is set, so nothing is escalated.'}
          </Text>
          {data.breached.length > 0 && (
            <SectionMessage appearance="warning" title={`${data.breached.length} requests are already past the approval SLA`}>
              <DueList title="Waiting past the SLA" items={data.breached} empty="" timeZone={timeZone} />
            </SectionMessage>
          )}
          <Grid templateColumns="repeat(auto-fill, minmax(18rem, 1fr))" gap="space.200" testId="forecast">
            {data.horizons.map((h) => (
              <Stack key={h.days} space="space.100" testId={`forecast-${h.days}`}>
                <Heading size="small" as="h3">
                  Next {h.days} days
                </Heading>
                <DueList title="Access expiring" items={h.expiring} empty="No access ends." timeZone={timeZone} />
                <DueList title="Reviews to answer" items={h.needsReview} empty="No review opens." timeZone={timeZone} />
                <DueList title="Approvals breaching the SLA" items={h.slaBreaches} empty="No request breaches the SLA." timeZone={timeZone} />
              </Stack>
            ))}
          </Grid>
        </>
      )}
    </Stack>
  );
}
