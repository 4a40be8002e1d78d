// The logic of the data table, apart from React: row selection with a limit,
// paging over the API's opaque cursors, filters turned into a listing's
// arguments, and CSV of the filtered view. Pure functions, so the component
// tests can drive them without a DOM.

/** The most rows one bulk action takes (`requests.decide` takes 1 to 50). */
export const MAX_BULK = 50;

/** Rows a page asks for. */
export const PAGE_SIZE = 25;

// ---------------------------------------------------------------------------
// Selection

export interface SelectionChange {
  selected: ReadonlySet<string>;
  /** Why the change was refused or cut short (the limit), in plain words. */
  refused: string | null;
}

export function limitMessage(max: number): string {
  return `You can select at most ${max} rows at a time.`;
}

/** Selects or unselects one row; selecting past `max` is refused. */
export function toggleRow(selected: ReadonlySet<string>, id: string, max = MAX_BULK): SelectionChange {
  const next = new Set(selected);
  if (next.has(id)) {
    next.delete(id);
    return { selected: next, refused: null };
  }
  if (next.size >= max) return { selected, refused: limitMessage(max) };
  next.add(id);
  return { selected: next, refused: null };
}

/**
 * The header checkbox: when every selectable row of the page is selected it
 * unselects them; otherwise it selects as many as fit under `max`, in page
 * order, and says so when some did not fit.
 */
export function togglePage(selected: ReadonlySet<string>, pageIds: readonly string[], max = MAX_BULK): SelectionChange {
  const allOn = pageIds.length > 0 && pageIds.every((id) => selected.has(id));
  const next = new Set(selected);
  if (allOn) {
    for (const id of pageIds) next.delete(id);
    return { selected: next, refused: null };
  }
  let left = false;
  for (const id of pageIds) {
    if (next.has(id)) continue;
    if (next.size >= max) {
      left = true;
      break;
    }
    next.add(id);
  }
  return { selected: next, refused: left ? limitMessage(max) : null };
}

/** State of the header checkbox for a page. */
export function pageCheckState(selected: ReadonlySet<string>, pageIds: readonly string[]): 'all' | 'some' | 'none' {
  const on = pageIds.filter((id) => selected.has(id)).length;
  if (on === 0) return 'none';
  return on === pageIds.length ? 'all' : 'some';
}

/** Keeps only the selected ids still shown (after a reload or a filter change). */
export function pruneSelection(selected: ReadonlySet<string>, shownIds: readonly string[]): ReadonlySet<string> {
  const shown = new Set(shownIds);
  return new Set([...selected].filter((id) => shown.has(id)));
}

// ---------------------------------------------------------------------------
// Paging over opaque cursors

/**
 * Where the table is: the cursor of every page visited so far (the first
 * page has none), which one is shown, and the next page's cursor if the API
 * gave one. Cursors are opaque: they are only ever handed back.
 */
export interface PagerState {
  cursors: readonly (string | undefined)[];
  index: number;
  nextCursor: string | null;
}

export const FIRST_PAGE: PagerState = { cursors: [undefined], index: 0, nextCursor: null };

export function currentCursor(s: PagerState): string | undefined {
  return s.cursors[s.index];
}

/** Records the `nextCursor` the current page came with. */
export function loaded(s: PagerState, nextCursor: string | null): PagerState {
  return { ...s, nextCursor };
}

export function hasNext(s: PagerState): boolean {
  return s.nextCursor !== null || s.index + 1 < s.cursors.length;
}

export function hasPrev(s: PagerState): boolean {
  return s.index > 0;
}

export function nextPage(s: PagerState): PagerState {
  if (s.index + 1 < s.cursors.length) return { ...s, index: s.index + 1, nextCursor: null };
  if (s.nextCursor === null) return s;
  return { cursors: [...s.cursors, s.nextCursor], index: s.index + 1, nextCursor: null };
}

export function prevPage(s: PagerState): PagerState {
  if (s.index === 0) return s;
  return { ...s, index: s.index - 1, nextCursor: null };
}

/** "Page 2" and whether more follow: the API does not say how many there are. */
export function pageLabel(s: PagerState): string {
  return `Page ${s.index + 1}`;
}

// ---------------------------------------------------------------------------
// Filters

/** The filters of an admin table as typed: free text for tool and account. */
export interface TableFilters {
  status?: string;
  tool?: string;
  account?: string;
}

export interface FilterError {
  field: keyof TableFilters;
  message: string;
}

/**
 * The listing's arguments (`TableArgs`) for filters and a page: blanks are
 * left out (an absent filter means "any"), text is trimmed, and a status not
 * among `statuses` is refused naming the filter rather than sent.
 */
export function tableArgs<S extends string>(
  filters: TableFilters,
  statuses: readonly S[],
  page: { cursor?: string; limit?: number } = {},
): { args: { status?: S; tool?: string; account?: string; cursor?: string; limit?: number } } | { error: FilterError } {
  const args: { status?: S; tool?: string; account?: string; cursor?: string; limit?: number } = {};
  const status = filters.status?.trim() ?? '';
  if (status) {
    if (!(statuses as readonly string[]).includes(status)) {
      return { error: { field: 'status', message: `Status must be one of: ${statuses.join(', ')}.` } };
    }
    args.status = status as S;
  }
  const tool = filters.tool?.trim() ?? '';
  if (tool) args.tool = tool;
  const account = filters.account?.trim() ?? '';
  if (account) args.account = account;
  if (page.cursor) args.cursor = page.cursor;
  args.limit = page.limit ?? PAGE_SIZE;
  return { args };
}

/** Whether two filter sets ask for the same rows (a change resets paging). */
export function sameFilters(a: TableFilters, b: TableFilters): boolean {
  const n = (v?: string): string => v?.trim() ?? '';
  return n(a.status) === n(b.status) && n(a.tool) === n(b.tool) && n(a.account) === n(b.account);
}

// ---------------------------------------------------------------------------
// CSV of the filtered view

export interface CsvColumn<T> {
  header: string;
  value: (row: T) => string | number | boolean | null | undefined;
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line
 * break, quotes doubled. Text a spreadsheet would run as a formula (starting
 * with `=`, `+`, `-`, `@`, tab or carriage return) is prefixed with `'`;
 * numbers are written as they are.
 */
export function csvField(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let s = typeof v === 'boolean' ? (v ? 'true' : 'false') : v;
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The CSV text: a header line, then one line per row, CRLF line ends. */
export function toCsv<T>(columns: readonly CsvColumn<T>[], rows: readonly T[]): string {
  const lines = [columns.map((c) => csvField(c.header)).join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvField(c.value(r))).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** `aigis-requests-2025-03-03.csv`. */
export function csvFileName(what: string, nowMs: number): string {
  return `aigis-${what}-${new Date(nowMs).toISOString().slice(0, 10)}.csv`;
}

/** The most rows one export collects. */
export const MAX_EXPORT_ROWS = 5000;

export interface Collected<T> {
  rows: T[];
  /** True when the export stopped at `max` and more rows exist. */
  truncated: boolean;
}

/**
 * Every row of the filtered view: follows the cursors from the first page
 * until the API gives none, or `max` rows are in hand.
 */
export async function collectAll<T>(
  load: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
  max = MAX_EXPORT_ROWS,
): Promise<Collected<T>> {
  const rows: T[] = [];
  let cursor: string | undefined;
  const seen = new Set<string>();
  for (;;) {
    const page = await load(cursor);
    for (const item of page.items) {
      if (rows.length >= max) return { rows, truncated: true };
      rows.push(item);
    }
    if (page.nextCursor === null || seen.has(page.nextCursor)) return { rows, truncated: false };
    if (rows.length >= max) return { rows, truncated: true };
    seen.add(page.nextCursor);
    cursor = page.nextCursor;
  }
}
