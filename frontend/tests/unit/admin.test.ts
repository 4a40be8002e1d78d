import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ADMIN_PAGES, checkTitle, fixFor, routeOfPath } from '../../src/modules/admin/routes';

test('the admin sub-pages are the ones manifest.yml declares, in the same order and sections', () => {
  // Bundled into .test-out/, two levels below the repository root.
  const text = readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8');
  const start = text.indexOf('  jira:adminPage:');
  const end = text.indexOf('\n  jira:', start + 10);
  const block = text.slice(start, end);
  const declared: { section: string; title: string; route: string }[] = [];
  let section = '';
  let title = '';
  for (const line of block.split('\n')) {
    const h = /^\s+- header: (.+)$/.exec(line);
    if (h) section = h[1]!.trim();
    const t = /^\s+- title: (.+)$/.exec(line);
    if (t) title = t[1]!.trim();
    const r = /^\s+route: (.+)$/.exec(line);
    if (r) declared.push({ section, title, route: r[1]!.trim() });
  }
  assert.deepEqual(
    declared,
    ADMIN_PAGES.map((p) => ({ section: p.section, title: p.title, route: p.route })),
  );
});

test('routeOfPath picks the sub-page from the location, Overview otherwise', () => {
  assert.equal(routeOfPath('/catalog'), 'catalog');
  assert.equal(routeOfPath('intake/anything'), 'intake');
  assert.equal(routeOfPath('/'), 'overview');
  assert.equal(routeOfPath('/nope'), 'overview');
});

test('every readiness check links to the page where it is fixed', () => {
  for (const [check, route] of [
    ['intakeProject', 'intake'],
    ['portal', 'intake'],
    ['requestTypes', 'intake'],
    ['approvers', 'intake'],
    ['catalog', 'catalog'],
    ['governance', 'governance'],
    ['connectors', 'connectors'],
  ] as const) {
    assert.equal(fixFor(check).route, route, check);
    assert.notEqual(checkTitle(check), check);
  }
  assert.equal(fixFor('unknown').route, 'overview');
  assert.equal(fixFor('catalog').title, 'Catalog');
});
