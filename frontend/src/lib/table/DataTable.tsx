// A data table over @atlaskit/dynamic-table: rows from a cursor-paged
// listing, optional row selection (capped, kept across pages with the rows'
// data so a bulk action can name them), Previous/Next over opaque cursors,
// highlighted rows, and a CSV download of every row of the filtered view.

import Button from '@atlaskit/button/new';
import Checkbox from '@atlaskit/checkbox';
import DynamicTable from '@atlaskit/dynamic-table';
import { Box, Inline, Stack, Text, xcss } from '@atlaskit/primitives';
import SectionMessage from '@atlaskit/section-message';
import React, { useCallback, useEffect, useRef, useState } from 'react';
import { downloadText } from './download';
import {
  FIRST_PAGE,
  MAX_BULK,
  collectAll,
  csvFileName,
  currentCursor,
  hasNext,
  hasPrev,
  loaded,
  nextPage,
  pageCheckState,
  pageLabel,
  prevPage,
  toCsv,
  toggleRow,
  togglePage,
  type CsvColumn,
  type PagerState,
} from './model';

export interface Column<T> {
  key: string;
  header: string;
  cell: (row: T) => React.ReactNode;
  /** The column's CSV value; columns without one are left out of the CSV. */
  csv?: CsvColumn<T>['value'];
  width?: number;
}

export type Loader<T> = (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>;

export interface DataTableProps<T> {
  /** What the table lists: its accessible name (the page's heading or tab shows it). */
  caption: string;
  columns: readonly Column<T>[];
  rowId: (row: T) => string;
  load: Loader<T>;
  /** Change it (filters, after an action) to reload from the first page. */
  reloadKey?: unknown;
  /** Turns selection on: which rows may be selected. */
  selectable?: (row: T) => boolean;
  selected?: ReadonlyMap<string, T>;
  onSelect?: (selected: ReadonlyMap<string, T>) => void;
  maxSelection?: number;
  highlight?: (row: T) => boolean;
  empty: string;
  /** Turns the CSV download on: `aigis-<what>-<date>.csv`. */
  csvName?: string;
  /** Shown above the table, beside the CSV button (bulk actions). */
  toolbar?: React.ReactNode;
  /** Told what the table shows after each load (e.g. to resolve names in bulk). */
  onRows?: (rows: T[]) => void;
  now?: () => number;
  testId?: string;
}

type Load<T> = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; rows: T[] };

function message(e: unknown): string {
  if (e && typeof e === 'object' && 'message' in e && typeof (e as { message: unknown }).message === 'string') {
    return (e as { message: string }).message;
  }
  return 'Something went wrong. Try again.';
}

// Narrow screens scroll the table sideways instead of breaking words.
const scroller = xcss({ overflowX: 'auto' });
const wide = xcss({ minWidth: '40rem' });

/** Plain text cells in the design system's body text, as the components' cells are. */
function asText(node: React.ReactNode): React.ReactNode {
  return typeof node === 'string' || typeof node === 'number' ? <Text>{node}</Text> : node;
}

export function DataTable<T>(props: DataTableProps<T>): React.JSX.Element {
  const { caption, columns, rowId, load, reloadKey, selectable, selected, onSelect, highlight, empty, csvName, toolbar, onRows } = props;
  const max = props.maxSelection ?? MAX_BULK;
  const [pager, setPager] = useState<PagerState>(FIRST_PAGE);
  const [data, setData] = useState<Load<T>>({ state: 'loading' });
  const [notice, setNotice] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);
  const loadRef = useRef(load);
  loadRef.current = load;
  const onRowsRef = useRef(onRows);
  onRowsRef.current = onRows;

  // A new reloadKey starts again at the first page.
  useEffect(() => setPager(FIRST_PAGE), [reloadKey]);

  const cursor = currentCursor(pager);
  useEffect(() => {
    let live = true;
    setData({ state: 'loading' });
    loadRef.current(cursor).then(
      (page) => {
        if (!live) return;
        setData({ state: 'ready', rows: page.items });
        setPager((p) => (currentCursor(p) === cursor ? loaded(p, page.nextCursor) : p));
        onRowsRef.current?.(page.items);
      },
      (e: unknown) => live && setData({ state: 'error', message: message(e) }),
    );
    return () => {
      live = false;
    };
  }, [cursor, pager.index, reloadKey]);

  const rows = data.state === 'ready' ? data.rows : [];
  const selectableRows = selectable ? rows.filter(selectable) : [];
  const pageIds = selectableRows.map(rowId);
  const sel = selected ?? new Map<string, T>();
  const selIds = new Set(sel.keys());

  const apply = useCallback(
    (ids: ReadonlySet<string>, refused: string | null) => {
      const next = new Map<string, T>();
      for (const id of ids) {
        const row = sel.get(id) ?? rows.find((r) => rowId(r) === id);
        if (row !== undefined) next.set(id, row);
      }
      setNotice(refused);
      onSelect?.(next);
    },
    [sel, rows, rowId, onSelect],
  );

  const exportCsv = async (): Promise<void> => {
    if (!csvName) return;
    setExporting(true);
    try {
      const all = await collectAll(loadRef.current);
      const csvCols = columns.filter((c) => c.csv).map((c) => ({ header: c.header, value: c.csv! }));
      downloadText(toCsv(csvCols, all.rows), csvFileName(csvName, (props.now ?? Date.now)()), 'text/csv');
      setNotice(all.truncated ? `The CSV holds the first ${all.rows.length} rows; narrow the filters for the rest.` : null);
    } catch (e) {
      setNotice(`The CSV could not be made: ${message(e)}`);
    } finally {
      setExporting(false);
    }
  };

  const check = pageCheckState(selIds, pageIds);
  const head = {
    cells: [
      ...(selectable
        ? [
            {
              key: '__select',
              width: 3,
              content: (
                <Checkbox
                  aria-label={`Select every row on this page of ${caption}`}
                  isChecked={check === 'all'}
                  isIndeterminate={check === 'some'}
                  isDisabled={pageIds.length === 0}
                  onChange={() => {
                    const r = togglePage(selIds, pageIds, max);
                    apply(r.selected, r.refused);
                  }}
                />
              ),
            },
          ]
        : []),
      ...columns.map((c) => ({ key: c.key, content: c.header, width: c.width })),
    ],
  };

  const tableRows = rows.map((r) => {
    const id = rowId(r);
    const canSelect = selectable?.(r) ?? false;
    return {
      key: id,
      isHighlighted: highlight?.(r) ?? false,
      'data-row': id,
      cells: [
        ...(selectable
          ? [
              {
                key: '__select',
                content: canSelect ? (
                  <Checkbox
                    aria-label={`Select ${id}`}
                    isChecked={selIds.has(id)}
                    onChange={() => {
                      const t = toggleRow(selIds, id, max);
                      apply(t.selected, t.refused);
                    }}
                  />
                ) : null,
              },
            ]
          : []),
        ...columns.map((c) => ({ key: c.key, content: asText(c.cell(r)) })),
      ],
    };
  });

  return (
    <Stack space="space.150" testId={props.testId}>
      {(toolbar || csvName || selectable) && (
        <Inline space="space.100" alignBlock="center" shouldWrap>
          {selectable && (
            <Text color="color.text.subtle">
              {sel.size} of at most {max} selected
            </Text>
          )}
          {toolbar}
          {csvName && (
            <Button onClick={() => void exportCsv()} isLoading={exporting}>
              Download CSV
            </Button>
          )}
        </Inline>
      )}
      {notice && (
        <SectionMessage appearance="warning">
          <Text>{notice}</Text>
        </SectionMessage>
      )}
      {data.state === 'error' ? (
        <SectionMessage appearance="error" title={`${caption} could not be loaded`}>
          <Text>{data.message}</Text>
        </SectionMessage>
      ) : (
        <Box xcss={scroller} tabIndex={0} role="region" aria-label={`${caption} (scrolls sideways on narrow screens)`}>
          <Box xcss={wide}>
            <DynamicTable
              label={caption}
              head={head}
              rows={tableRows}
              isLoading={data.state === 'loading'}
              emptyView={<Text>{empty}</Text>}
            />
          </Box>
        </Box>
      )}
      {(hasPrev(pager) || hasNext(pager)) && (
        <Inline space="space.100" alignBlock="center">
          <Button isDisabled={!hasPrev(pager)} onClick={() => setPager(prevPage)}>
            Previous
          </Button>
          <Text>{pageLabel(pager)}</Text>
          <Button isDisabled={!hasNext(pager) || data.state === 'loading'} onClick={() => setPager(nextPage)}>
            Next
          </Button>
        </Inline>
      )}
    </Stack>
  );
}
