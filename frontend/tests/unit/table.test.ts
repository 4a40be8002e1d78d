import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  FIRST_PAGE,
  MAX_BULK,
  collectAll,
  csvField,
  csvFileName,
  currentCursor,
  hasNext,
  hasPrev,
  loaded,
  nextPage,
  pageCheckState,
  prevPage,
  pruneSelection,
  sameFilters,
  tableArgs,
  toCsv,
  togglePage,
  toggleRow,
} from '../../src/lib/table/model';

const ids = (n: number, from = 0): string[] => Array.from({ length: n }, (_, i) => `r${from + i}`);

test('toggleRow selects and unselects, and refuses the 51st row', () => {
  let sel: ReadonlySet<string> = new Set();
  for (const id of ids(MAX_BULK)) sel = toggleRow(sel, id).selected;
  assert.equal(sel.size, 50);
  const over = toggleRow(sel, 'r999');
  assert.equal(over.selected.size, 50);
  assert.equal(over.selected.has('r999'), false);
  assert.match(over.refused ?? '', /at most 50/);
  const off = toggleRow(sel, 'r3');
  assert.equal(off.selected.size, 49);
  assert.equal(off.refused, null);
  // Unselecting is never refused, and the input set is not changed.
  assert.equal(sel.size, 50);
});

test('togglePage fills up to the limit in page order and says some did not fit', () => {
  const start = new Set(ids(40));
  const page = ids(25, 30); // r30..r54: ten already selected
  const r = togglePage(start, page);
  assert.equal(r.selected.size, 50);
  assert.ok(r.selected.has('r49'));
  assert.equal(r.selected.has('r50'), false);
  assert.match(r.refused ?? '', /at most 50/);
  assert.equal(pageCheckState(r.selected, page), 'some');
  // A page that fits: all on, then the header toggles them all off again.
  const small = ids(3, 100);
  const on = togglePage(new Set(), small);
  assert.equal(on.refused, null);
  assert.equal(pageCheckState(on.selected, small), 'all');
  const offAgain = togglePage(on.selected, small);
  assert.equal(offAgain.selected.size, 0);
  assert.equal(pageCheckState(offAgain.selected, small), 'none');
  assert.equal(pageCheckState(new Set(), []), 'none');
  assert.equal(togglePage(new Set(), [], 5).selected.size, 0);
});

test('a custom limit applies too, and pruneSelection drops rows no longer shown', () => {
  const r = togglePage(new Set(), ids(5), 3);
  assert.deepEqual([...r.selected], ['r0', 'r1', 'r2']);
  assert.match(r.refused ?? '', /at most 3/);
  assert.deepEqual([...pruneSelection(new Set(['r0', 'r1', 'x']), ['r1', 'r2'])], ['r1']);
});

test('paging follows opaque cursors forward and back without asking twice', () => {
  let s = FIRST_PAGE;
  assert.equal(currentCursor(s), undefined);
  assert.equal(hasPrev(s), false);
  assert.equal(hasNext(s), false);
  s = loaded(s, 'c2');
  assert.equal(hasNext(s), true);
  s = nextPage(s);
  assert.equal(currentCursor(s), 'c2');
  assert.equal(hasPrev(s), true);
  s = loaded(s, 'c3');
  s = nextPage(s);
  assert.equal(currentCursor(s), 'c3');
  s = loaded(s, null);
  assert.equal(hasNext(s), false);
  assert.equal(nextPage(s), s, 'no next page: unchanged');
  s = prevPage(prevPage(s));
  assert.equal(currentCursor(s), undefined);
  assert.equal(prevPage(s), s);
  // Going forward again reuses the cursors already known.
  assert.equal(hasNext(s), true);
  s = nextPage(s);
  assert.equal(currentCursor(s), 'c2');
});

test('tableArgs leaves blanks out, trims text and refuses an unknown status by its filter', () => {
  const statuses = ['pending', 'approved', 'denied'] as const;
  const r = tableArgs({ status: '', tool: '  chatgpt ', account: '' }, statuses, { cursor: 'abc', limit: 10 });
  assert.ok('args' in r);
  assert.deepEqual(r.args, { tool: 'chatgpt', cursor: 'abc', limit: 10 });
  const d = tableArgs({ status: 'approved', account: 'acc-1' }, statuses);
  assert.ok('args' in d);
  assert.deepEqual(d.args, { status: 'approved', account: 'acc-1', limit: 25 });
  const bad = tableArgs({ status: 'maybe' }, statuses);
  assert.ok('error' in bad);
  assert.equal(bad.error.field, 'status');
  assert.match(bad.error.message, /pending, approved, denied/);
  assert.equal(sameFilters({ tool: 'a ' }, { tool: 'a', status: '' }), true);
  assert.equal(sameFilters({ tool: 'a' }, { tool: 'b' }), false);
});

test('csvField quotes, doubles quotes and defuses spreadsheet formulas', () => {
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  assert.equal(csvField('+1'), "'+1");
  assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(csvField(-3), '-3', 'numbers are numbers, not formulas');
  assert.equal(csvField(NaN), '');
  assert.equal(csvField(null), '');
  assert.equal(csvField(undefined), '');
  assert.equal(csvField(true), 'true');
});

test('toCsv writes a header and one CRLF line per row of the filtered view', () => {
  const rows = [
    { key: 'AI-1', tool: 'ChatGPT', days: 30 },
    { key: 'AI-2', tool: 'Claude, Pro', days: 7 },
  ];
  const csv = toCsv(
    [
      { header: 'Issue', value: (r: (typeof rows)[number]) => r.key },
      { header: 'Tool', value: (r: (typeof rows)[number]) => r.tool },
      { header: 'Days', value: (r: (typeof rows)[number]) => r.days },
    ],
    rows,
  );
  assert.equal(csv, 'Issue,Tool,Days\r\nAI-1,ChatGPT,30\r\nAI-2,"Claude, Pro",7\r\n');
  assert.equal(csvFileName('requests', Date.UTC(2025, 2, 3, 23, 0)), 'aigis-requests-2025-03-03.csv');
});

test('collectAll follows cursors to the end, stops at the row cap, and never loops on a repeated cursor', async () => {
  const pages: Record<string, { items: number[]; nextCursor: string | null }> = {
    '': { items: [1, 2], nextCursor: 'b' },
    b: { items: [3, 4], nextCursor: 'c' },
    c: { items: [5], nextCursor: null },
  };
  const asked: (string | undefined)[] = [];
  const load = async (c: string | undefined) => {
    asked.push(c);
    return pages[c ?? '']!;
  };
  assert.deepEqual(await collectAll(load), { rows: [1, 2, 3, 4, 5], truncated: false });
  assert.deepEqual(asked, [undefined, 'b', 'c']);
  assert.deepEqual(await collectAll(load, 3), { rows: [1, 2, 3], truncated: true });
  assert.deepEqual(await collectAll(load, 4), { rows: [1, 2, 3, 4], truncated: true });
  const loop = async () => ({ items: [9], nextCursor: 'same' });
  assert.deepEqual(await collectAll(loop), { rows: [9, 9], truncated: false });
});
