import Button from '@atlaskit/button/new';
import Heading from '@atlaskit/heading';
import { Box, Inline, Stack, Text } from '@atlaskit/primitives';
import SectionMessage from '@atlaskit/section-message';
import React, { useEffect, useState } from 'react';
import {
  AUDIT_EVENT_TYPES,
  MAX_EXPORT_DAYS,
  auditSearchPayload,
  base64ToBytes,
  defaultExportWindow,
  formatBytes,
  formatDateTime,
  shortHash,
  validateDateRange,
  type AuditFilter,
  type FieldError,
} from '../../lib/labels';
import type { AuditEvent, Verified } from '../../generated/api';
import { ConfirmModal } from '../../lib/confirm/ConfirmModal';
import { rotateKeyConfirmation } from '../../lib/confirm/text';
import { DataTable, type Column } from '../../lib/table/DataTable';
import { downloadBlob } from '../../lib/table/download';
import { PAGE_SIZE } from '../../lib/table/model';
import { call, errorWords } from '../global/rpc';
import { Person, flag, useWantNames } from '../global/ui';
import { SelectRow, TextRow } from './fields';
import { PackVerifier } from './PackVerifier';

const EMPTY: AuditFilter = { from: '', to: '', actor: '', type: '', subject: '' };

/** The sealed audit log: its integrity, a search over it, evidence packs and the signing key. */
export function Logs({ timeZone }: { timeZone?: string }): React.JSX.Element {
  const [verified, setVerified] = useState<Verified | null>(null);
  const [filter, setFilter] = useState<AuditFilter>(EMPTY);
  const [applied, setApplied] = useState<AuditFilter>(EMPTY);
  const [filterError, setFilterError] = useState<FieldError | null>(null);
  const [reload, setReload] = useState(0);
  const [win, setWin] = useState(() => defaultExportWindow(Date.now()));
  const [exportError, setExportError] = useState<FieldError | null>(null);
  const [exporting, setExporting] = useState(false);
  const [rotating, setRotating] = useState(false);
  const wantNames = useWantNames<AuditEvent>((e) => [e.actor]);
  useEffect(() => {
    call('audit.verify', {}).then(setVerified, (e: unknown) => flag('error', 'The log could not be verified', errorWords(e)));
  }, [reload]);

  const columns: Column<AuditEvent>[] = [
    { key: 'seq', header: '#', cell: (e) => String(e.seq), csv: (e) => e.seq },
    { key: 'at', header: 'When', cell: (e) => formatDateTime(e.at, timeZone), csv: (e) => new Date(e.at).toISOString() },
    { key: 'actor', header: 'Who', cell: (e) => (e.actor.startsWith('app:') ? `Aigis · ${e.actor.slice(4)}` : <Person accountId={e.actor} />), csv: (e) => e.actor },
    { key: 'action', header: 'What', cell: (e) => e.action, csv: (e) => e.action },
    { key: 'subject', header: 'Subject', cell: (e) => e.subject, csv: (e) => e.subject },
    { key: 'gov', header: 'Governance', cell: (e) => (e.govVersion === null ? '—' : `v${e.govVersion}`), csv: (e) => e.govVersion },
    { key: 'hash', header: 'Entry hash', cell: (e) => <code title={e.entryHash}>{shortHash(e.entryHash)}</code>, csv: (e) => e.entryHash },
  ];
  const search = (): void => {
    const e = validateDateRange(filter.from, filter.to);
    setFilterError(e);
    if (!e) {
      setApplied(filter);
      setReload((n) => n + 1);
    }
  };
  const exportPack = async (): Promise<void> => {
    const e = validateDateRange(win.from, win.to, MAX_EXPORT_DAYS);
    setExportError(e);
    if (e) return;
    setExporting(true);
    try {
      const pack = await call('audit.export', { from: win.from, to: win.to });
      downloadBlob(new Blob([base64ToBytes(pack.contentBase64)], { type: 'application/zip' }), pack.fileName);
      flag('success', `Evidence pack saved: ${pack.fileName}`, `${formatBytes(pack.bytes)}, ${pack.counts.events} events, SHA-256 ${shortHash(pack.sha256, 16)}`);
    } catch (err) {
      setExportError({ field: '', message: errorWords(err) });
    } finally {
      setExporting(false);
    }
  };
  return (
    <Stack space="space.400">
      {verified && (
        <SectionMessage appearance={verified.ok ? 'success' : 'error'} title={verified.ok ? 'The log is intact' : 'The log is broken'} testId="audit-verified">
          <Text>{verified.statement}</Text>
        </SectionMessage>
      )}
      <Stack space="space.150">
        <Heading size="small" as="h2">
          Search
        </Heading>
        <Inline space="space.150" alignBlock="end" shouldWrap>
          <TextRow name="from" type="date" label="From" value={filter.from} onChange={(v) => setFilter({ ...filter, from: v })} error={filterError?.field === 'from' ? `From: ${filterError.message}` : null} />
          <TextRow name="to" type="date" label="To" value={filter.to} onChange={(v) => setFilter({ ...filter, to: v })} error={filterError?.field === 'to' ? `To: ${filterError.message}` : null} />
          <TextRow name="actor" label="Actor (account id)" value={filter.actor} onChange={(v) => setFilter({ ...filter, actor: v })} />
          <Box>
            <SelectRow name="type" label="Event type" value={filter.type} options={[{ value: '', label: 'Any' }, ...AUDIT_EVENT_TYPES.map((t) => ({ value: t, label: t }))]} onChange={(v) => setFilter({ ...filter, type: v })} />
          </Box>
          <TextRow name="subject" label="Subject, e.g. grant:g-10000" value={filter.subject} onChange={(v) => setFilter({ ...filter, subject: v })} />
          <Button onClick={search}>Search</Button>
        </Inline>
        <DataTable
          caption="Audit events"
          onRows={wantNames}
          columns={columns}
          rowId={(e) => String(e.seq)}
          reloadKey={reload}
          load={async (cursor) => {
            const r = await call('audit.search', auditSearchPayload(applied, PAGE_SIZE, cursor));
            return { items: r.events, nextCursor: r.nextCursor };
          }}
          csvName="audit"
          empty="No events match."
          testId="audit-events"
        />
      </Stack>
      <Stack space="space.150">
        <Heading size="small" as="h2">
          Evidence pack
        </Heading>
        <Text>A signed zip of the events, requests, grants and tasks of a window (at most {MAX_EXPORT_DAYS} days), with the checkpoint and keys to verify it offline.</Text>
        <Inline space="space.150" alignBlock="end" shouldWrap>
          <TextRow name="exportFrom" type="date" label="From" value={win.from} onChange={(v) => setWin({ ...win, from: v })} error={exportError?.field === 'from' ? `From: ${exportError.message}` : null} />
          <TextRow name="exportTo" type="date" label="To" value={win.to} onChange={(v) => setWin({ ...win, to: v })} error={exportError?.field === 'to' ? `To: ${exportError.message}` : null} />
          <Button appearance="primary" onClick={() => void exportPack()} isLoading={exporting} testId="export-pack">
            Export evidence pack
          </Button>
        </Inline>
        {exportError && !exportError.field && <Text color="color.text.danger">{exportError.message}</Text>}
      </Stack>
      <PackVerifier />
      <Stack space="space.150">
        <Heading size="small" as="h2">
          Signing key
        </Heading>
        <Box>
          <Button appearance="warning" onClick={() => setRotating(true)}>
            Rotate the signing key…
          </Button>
        </Box>
      </Stack>
      <ConfirmModal
        confirmation={rotating ? rotateKeyConfirmation() : null}
        onClose={() => setRotating(false)}
        onConfirm={async () => {
          const r = await call('audit.rotateKey', {});
          flag('success', `New signing key ${r.key.keyId}`);
          setReload((n) => n + 1);
        }}
      />
    </Stack>
  );
}
