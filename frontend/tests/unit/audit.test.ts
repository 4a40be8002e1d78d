import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AUDIT_EVENT_TYPES,
  MAX_EXPORT_DAYS,
  actorLabel,
  auditSearchPayload,
  base64ToBytes,
  defaultExportWindow,
  fieldLabel,
  formatBytes,
  isoDate,
  parseIsoDate,
  shortHash,
  tone,
  validateDateRange,
} from '../../src/lib/labels';

const DAY = 86_400_000;

test('isoDate is the UTC calendar day', () => {
  assert.equal(isoDate(Date.UTC(2025, 2, 3, 0, 0, 0)), '2025-03-03');
  assert.equal(isoDate(Date.UTC(2025, 2, 3, 23, 59, 59)), '2025-03-03');
  assert.equal(isoDate(Date.UTC(2024, 11, 31, 12)), '2024-12-31');
});

test('parseIsoDate accepts real dates only', () => {
  assert.equal(parseIsoDate('2025-03-03'), Date.UTC(2025, 2, 3));
  assert.equal(parseIsoDate('2024-02-29'), Date.UTC(2024, 1, 29));
  assert.equal(parseIsoDate('2025-02-29'), null);
  assert.equal(parseIsoDate('2025-13-01'), null);
  assert.equal(parseIsoDate('2025-3-3'), null);
  assert.equal(parseIsoDate('03/03/2025'), null);
  assert.equal(parseIsoDate(''), null);
});

test('defaultExportWindow is the last 90 days up to today', () => {
  const now = Date.UTC(2025, 5, 30, 10, 0, 0);
  assert.deepEqual(defaultExportWindow(now), { from: '2025-04-01', to: '2025-06-30' });
  const w = defaultExportWindow(now);
  assert.equal(validateDateRange(w.from, w.to, MAX_EXPORT_DAYS), null);
});

test('validateDateRange: formats, order, and the 365-day limit (both ends included)', () => {
  assert.equal(validateDateRange('', ''), null);
  assert.equal(validateDateRange('2025-01-01', ''), null);
  assert.equal(validateDateRange('', '2025-01-01'), null);
  assert.equal(validateDateRange(' 2025-01-01 ', '2025-01-01'), null);
  assert.equal(validateDateRange('2025-02-30', '')?.field, 'from');
  assert.equal(validateDateRange('', 'tomorrow')?.field, 'to');
  const backwards = validateDateRange('2025-03-02', '2025-03-01');
  assert.equal(backwards?.field, 'from');
  assert.match(backwards?.message ?? '', /after/);
  // 365 calendar days, 1 Jan to 31 Dec 2025: allowed; one more day is not.
  assert.equal(validateDateRange('2025-01-01', '2025-12-31', MAX_EXPORT_DAYS), null);
  const long = validateDateRange('2024-12-31', '2025-12-31', MAX_EXPORT_DAYS);
  assert.equal(long?.field, 'from');
  assert.match(long?.message ?? '', /365 days/);
  // Without a maximum (search), any ordered range is fine.
  assert.equal(validateDateRange('2020-01-01', '2025-12-31'), null);
  // The server's rule: end of `to` minus start of `from` at most 365 days.
  const f = parseIsoDate('2025-01-01') ?? 0;
  const t = parseIsoDate('2025-12-31') ?? 0;
  assert.ok(t + DAY - 1 - f <= MAX_EXPORT_DAYS * DAY);
});

test('auditSearchPayload leaves blanks out and trims', () => {
  assert.deepEqual(auditSearchPayload({ from: '', to: '', actor: '', type: '', subject: '' }, 25), { limit: 25 });
  assert.deepEqual(
    auditSearchPayload({ from: '2025-01-01', to: '', actor: ' 557058:abc ', type: 'tool.added', subject: '  ' }, 10, 'c1'),
    { from: '2025-01-01', actor: '557058:abc', type: 'tool.added', limit: 10, cursor: 'c1' },
  );
});

test('shortHash shortens long hashes only', () => {
  assert.equal(shortHash('0123456789abcdef0123'), '0123456789ab…');
  assert.equal(shortHash('0123456789abcdef', 8), '01234567…');
  assert.equal(shortHash('abc'), 'abc');
  assert.equal(shortHash(''), '—');
  assert.equal(shortHash(undefined), '—');
});

test('formatBytes', () => {
  assert.equal(formatBytes(1), '1 byte');
  assert.equal(formatBytes(812), '812 bytes');
  assert.equal(formatBytes(1536), '1.5 KB');
  assert.equal(formatBytes(3 * 1024 * 1024), '3.0 MB');
  assert.equal(formatBytes(-1), '—');
  assert.equal(formatBytes(undefined), '—');
});

test('actorLabel: you, the app, or the account id', () => {
  assert.equal(actorLabel('557058:ada', '557058:ada'), 'You');
  assert.equal(actorLabel('557058:arlo', '557058:ada'), '557058:arlo');
  assert.equal(actorLabel('app:job-runner'), 'Aigis · job runner');
  assert.equal(actorLabel('app:audit'), 'Aigis · audit');
  assert.equal(actorLabel('app:'), 'Aigis');
});

test('base64ToBytes decodes a zip header', () => {
  const bytes = base64ToBytes('UEsDBA==');
  assert.deepEqual(Array.from(bytes), [0x50, 0x4b, 0x03, 0x04]);
  assert.equal(base64ToBytes('').length, 0);
  assert.deepEqual(Array.from(base64ToBytes('UEsD\nBA==')), [0x50, 0x4b, 0x03, 0x04]);
});

test('audit badges and field names', () => {
  assert.equal(tone('ok'), 'success');
  assert.equal(tone('broken'), 'danger');
  assert.equal(fieldLabel('from'), 'From');
  assert.equal(fieldLabel('seq'), 'Event number');
  assert.ok(AUDIT_EVENT_TYPES.includes('tool.added'));
  assert.equal(new Set(AUDIT_EVENT_TYPES).size, AUDIT_EVENT_TYPES.length);
});
