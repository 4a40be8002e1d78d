import Button from '@atlaskit/button/new';
import Heading from '@atlaskit/heading';
import { Box, Grid, Inline, Stack, Text, xcss } from '@atlaskit/primitives';
import SectionMessage from '@atlaskit/section-message';
import Spinner from '@atlaskit/spinner';
import React, { useEffect, useState } from 'react';
import { formatMinutes, monthLabel, riskLabel, riskMixEntries, topToolsAcross, validateMonthRange, type FieldError } from '../../lib/labels';
import type { Insights as Data, MonthView } from '../../generated/api';
import { call, errorWords } from '../global/rpc';
import { columnBars, rowBars } from './chart';
import { TextRow } from './fields';

// Bars are filled with currentColor: the colour comes from a token on the wrapper.
const tone = {
  brand: xcss({ color: 'color.text.brand' }),
  success: xcss({ color: 'color.text.success' }),
  danger: xcss({ color: 'color.text.danger' }),
  warning: xcss({ color: 'color.text.warning' }),
  discovery: xcss({ color: 'color.text.discovery' }),
};

function MonthChart({ title, months, pick, color }: { title: string; months: MonthView[]; pick: (m: MonthView) => number; color: keyof typeof tone }): React.JSX.Element {
  const W = 320;
  const H = 120;
  const bars = columnBars(months.map((m) => ({ label: monthLabel(m.month), value: pick(m) })), W, H);
  return (
    <Stack space="space.100">
      <Heading size="xsmall" as="h3">
        {title}
      </Heading>
      <Box xcss={tone[color]}>
        <svg role="img" aria-label={`${title} by month: ${bars.map((b) => `${b.label} ${b.value}`).join(', ')}`} viewBox={`0 0 ${W} ${H + 18}`} width="100%" height={H + 18}>
          {bars.map((b) => (
            <g key={b.label}>
              <rect x={b.x} y={b.y} width={b.width} height={b.height} fill="currentColor" rx="2">
                <title>{`${b.label}: ${b.value}`}</title>
              </rect>
              <text x={b.x + b.width / 2} y={H + 14} textAnchor="middle" fontSize="10" fill="currentColor">
                {b.label.split(' ')[0]}
              </text>
            </g>
          ))}
        </svg>
      </Box>
    </Stack>
  );
}

function RowChart({ title, rows, color }: { title: string; rows: { label: string; value: number }[]; color: keyof typeof tone }): React.JSX.Element {
  const W = 240;
  const R = 16;
  const bars = rowBars(rows, W, R);
  const h = Math.max(R, bars.length * (R + 6));
  return (
    <Stack space="space.100">
      <Heading size="xsmall" as="h3">
        {title}
      </Heading>
      {rows.length === 0 ? (
        <Text>Nothing yet.</Text>
      ) : (
        <Box xcss={tone[color]}>
          <svg role="img" aria-label={`${title}: ${bars.map((b) => `${b.label} ${b.value}`).join(', ')}`} viewBox={`0 0 ${W + 160} ${h}`} width="100%" height={h}>
            {bars.map((b) => (
              <g key={b.label}>
                <text x={0} y={b.y + 12} fontSize="11" fill="currentColor">
                  {b.label}
                </text>
                <rect x={120} y={b.y} width={Math.max(1, b.width)} height={b.height} fill="currentColor" rx="2" />
                <text x={124 + b.width} y={b.y + 12} fontSize="11" fill="currentColor">
                  {b.value}
                </text>
              </g>
            ))}
          </svg>
        </Box>
      )}
    </Stack>
  );
}

/** Months of activity, top tools and risk mix, as the daily analytics sweep rolled them up. */
export function Insights(): React.JSX.Element {
  const [range, setRange] = useState({ from: '', to: '' });
  const [applied, setApplied] = useState({ from: '', to: '' });
  const [error, setError] = useState<FieldError | null>(null);
  const [data, setData] = useState<Data | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  useEffect(() => {
    setData(null);
    setLoadError(null);
    const args = { ...(applied.from ? { from: applied.from } : {}), ...(applied.to ? { to: applied.to } : {}) };
    call('insights', args).then(setData, (e: unknown) => setLoadError(errorWords(e)));
  }, [applied]);
  const months = data?.months ?? [];
  const mix: Record<string, number> = {};
  for (const m of months) for (const [k, v] of riskMixEntries(m.riskMix)) mix[k] = (mix[k] ?? 0) + v;
  const last = months[months.length - 1];
  return (
    <Stack space="space.300">
      <Inline space="space.150" alignBlock="end" shouldWrap>
        <TextRow name="from" label="From month (YYYY-MM)" value={range.from} onChange={(v) => setRange({ ...range, from: v })} error={error?.field === 'from' ? `From: ${error.message}` : null} />
        <TextRow name="to" label="To month (YYYY-MM)" value={range.to} onChange={(v) => setRange({ ...range, to: v })} error={error?.field === 'to' ? `To: ${error.message}` : null} />
        <Button
          onClick={() => {
            const e = validateMonthRange(range.from.trim(), range.to.trim());
            setError(e);
            if (!e) setApplied({ from: range.from.trim(), to: range.to.trim() });
          }}
        >
          Show
        </Button>
      </Inline>
      {loadError && (
        <SectionMessage appearance="error" title="Insights could not be loaded">
          <Text>{loadError}</Text>
        </SectionMessage>
      )}
      {!data && !loadError && <Spinner label="Loading insights" />}
      {data && months.length === 0 && <Text>Nothing rolled up yet: the daily analytics sweep fills this in.</Text>}
      {data && months.length > 0 && (
        <>
          <Text>
            {last && `Latest month ${monthLabel(last.month)}: ${last.activeGrants} active grants, median time to a decision ${formatMinutes(last.medianMinutesToDecision)}.`} Up to audit event {data.throughSeq}.
          </Text>
          <Grid templateColumns="repeat(auto-fill, minmax(18rem, 1fr))" gap="space.300" testId="insights-charts">
            <MonthChart title="Requests" months={months} pick={(m) => m.requests} color="brand" />
            <MonthChart title="Approvals" months={months} pick={(m) => m.approvals + m.autoApprovals} color="success" />
            <MonthChart title="Denials" months={months} pick={(m) => m.denials} color="danger" />
            <MonthChart title="Active grants at month end" months={months} pick={(m) => m.activeGrants} color="discovery" />
            <RowChart title="Most requested tools" rows={topToolsAcross(months, 8).map((t) => ({ label: t.tool, value: t.requests }))} color="brand" />
            <RowChart title="Requests by risk" rows={riskMixEntries(mix).map(([k, v]) => ({ label: riskLabel(k as never), value: v }))} color="warning" />
          </Grid>
        </>
      )}
    </Stack>
  );
}
