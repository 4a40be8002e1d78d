import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../../src/lib/errors';
import { INGEST_BUDGET_MS, loadOnceIngested, nextWait } from '../../src/modules/portal-detail/ingest';

/** A virtual clock: sleeping moves it; each sleep is recorded. */
function clock() {
  let t = 1_000_000;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    sleep: (ms: number) => {
      slept.push(ms);
      t += ms;
      return Promise.resolve();
    },
  };
}

const notFound = () => new ApiError('not-found', 'No request for this issue.');

test('nextWait: half a second, doubling, at most four', () => {
  const seq: number[] = [];
  let w = 0;
  for (let i = 0; i < 6; i++) seq.push((w = nextWait(w)));
  assert.deepEqual(seq, [500, 1000, 2000, 4000, 4000, 4000]);
});

test('a governed request not yet ingested is asked again until it is', async () => {
  const c = clock();
  let tries = 0;
  let gateAsked = 0;
  const value = await loadOnceIngested(
    async () => {
      tries += 1;
      if (tries < 5) throw notFound();
      return 'the request';
    },
    async () => {
      gateAsked += 1;
      return true;
    },
    c,
  );
  assert.equal(value, 'the request');
  assert.equal(tries, 5);
  assert.equal(gateAsked, 1, 'the gate is asked once');
  assert.deepEqual(c.slept, [500, 1000, 2000, 4000]);
});

test('on a request type Aigis does not govern, not-found is the answer at once', async () => {
  const c = clock();
  let tries = 0;
  await assert.rejects(
    loadOnceIngested(
      async () => {
        tries += 1;
        throw notFound();
      },
      async () => false,
      c,
    ),
    (e: unknown) => e instanceof ApiError && e.code === 'not-found',
  );
  assert.equal(tries, 1);
  assert.deepEqual(c.slept, []);
});

test('a governed request never ingested: not-found once the budget is spent; other errors at once', async () => {
  const c = clock();
  const start = c.now();
  await assert.rejects(
    loadOnceIngested(
      async () => {
        throw notFound();
      },
      async () => true,
      c,
    ),
    (e: unknown) => e instanceof ApiError && e.code === 'not-found',
  );
  const waited = c.now() - start;
  assert.ok(waited <= INGEST_BUDGET_MS && waited > INGEST_BUDGET_MS - 4_000, `waited ${waited} ms`);

  const d = clock();
  await assert.rejects(
    loadOnceIngested(
      async () => {
        throw new ApiError('forbidden', 'Not yours.');
      },
      async () => true,
      d,
    ),
    (e: unknown) => e instanceof ApiError && e.code === 'forbidden',
  );
  assert.deepEqual(d.slept, []);
  // A gate that cannot be read counts as not governed.
  await assert.rejects(
    loadOnceIngested(
      async () => {
        throw notFound();
      },
      async () => {
        throw new Error('offline');
      },
      d,
    ),
    (e: unknown) => e instanceof ApiError && e.code === 'not-found',
  );
  assert.deepEqual(d.slept, []);
});
