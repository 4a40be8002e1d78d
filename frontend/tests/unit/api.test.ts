import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ApiError,
  basicAuth,
  buildInvokeRequest,
  buildJiraRequest,
  buildRequestIssue,
  codeForStatus,
  createLocalInvoker,
  detectHost,
  errorFromBridge,
  errorFromResponse,
} from '../../src/api';

const creds = { email: 'ada@aigis.example', token: 'demo-ada-token' };

test('basicAuth encodes email:token as base64, UTF-8 safe', () => {
  assert.equal(basicAuth(creds), 'Basic ' + Buffer.from('ada@aigis.example:demo-ada-token').toString('base64'));
  assert.equal(basicAuth({ email: 'zoë@x', token: 't' }), 'Basic ' + Buffer.from('zoë@x:t', 'utf8').toString('base64'));
});

test('buildInvokeRequest shapes POST /api/invoke/{key} with JSON and Basic auth', () => {
  const r = buildInvokeRequest('http://127.0.0.1:8080', 'requests.approve', { requestId: 'r1' }, creds);
  assert.equal(r.url, 'http://127.0.0.1:8080/api/invoke/requests.approve');
  assert.equal(r.init.method, 'POST');
  assert.equal(r.init.headers['content-type'], 'application/json');
  assert.equal(r.init.headers.authorization, basicAuth(creds));
  assert.deepEqual(JSON.parse(r.init.body!), { requestId: 'r1' });
});

test('buildInvokeRequest sends {} for no payload and no auth header without credentials', () => {
  const r = buildInvokeRequest('http://127.0.0.1:8080/some/page', 'whoami', undefined, null);
  assert.equal(r.url, 'http://127.0.0.1:8080/api/invoke/whoami');
  assert.equal(r.init.body, '{}');
  assert.equal(r.init.headers.authorization, undefined);
});

test('buildInvokeRequest refuses keys that would change the path', () => {
  assert.throws(() => buildInvokeRequest('http://h', '../x/y', {}, null), (e: unknown) => e instanceof ApiError && e.code === 'invalid');
  assert.throws(() => buildInvokeRequest('http://h', '', {}, null), ApiError);
});

test('buildJiraRequest only reaches /rest/ and adds a JSON body when given', () => {
  const r = buildJiraRequest('http://h:1', 'POST', '/rest/api/3/issue', { a: 1 }, creds);
  assert.equal(r.url, 'http://h:1/rest/api/3/issue');
  assert.equal(r.init.headers['content-type'], 'application/json');
  assert.equal(r.init.body, '{"a":1}');
  const g = buildJiraRequest('http://h:1', 'GET', '/rest/api/3/myself', undefined, creds);
  assert.equal(g.init.body, undefined);
  assert.throws(() => buildJiraRequest('http://h', 'GET', '/api/invoke/x', undefined, creds), ApiError);
});

test('buildRequestIssue carries the snapshot as the aigis.snapshot.v1 property', () => {
  const body = buildRequestIssue('AIR', 'Claude', { toolId: 'claude', purpose: 'drafting', durationDays: 1 }, '10');
  assert.deepEqual(body, {
    fields: {
      project: { key: 'AIR' },
      issuetype: { name: 'Service Request' },
      summary: 'Access to Claude for 1 day',
      customfield_10010: '10',
    },
    properties: [{ key: 'aigis.snapshot.v1', value: { toolId: 'claude', purpose: 'drafting', durationDays: 1 } }],
  });
  const noType = buildRequestIssue('AIR', 'X', { toolId: 'x', purpose: 'p', durationDays: 30 }) as { fields: Record<string, unknown> };
  assert.equal('customfield_10010' in noType.fields, false);
  assert.equal(noType.fields.summary, 'Access to X for 30 days');
});

test('errorFromResponse keeps the resolver code, message and field verbatim', () => {
  const e = errorFromResponse(409, JSON.stringify({ code: 'conflict', message: 'rita already has an open grant for claude', field: 'requestId' }));
  assert.equal(e.code, 'conflict');
  assert.equal(e.message, 'rita already has an open grant for claude');
  assert.equal(e.field, 'requestId');
  assert.equal(e.status, 409);
});

test('errorFromResponse falls back to the HTTP status when the body has no code', () => {
  const cases: [number, string][] = [
    [400, 'invalid'], [401, 'unauthenticated'], [403, 'forbidden'], [404, 'not-found'],
    [409, 'conflict'], [429, 'rate-limited'], [503, 'unavailable'], [500, 'internal'],
  ];
  for (const [status, code] of cases) {
    assert.equal(codeForStatus(status), code);
    const e = errorFromResponse(status, '');
    assert.equal(e.code, code);
    assert.ok(e.message.length > 0);
  }
  assert.equal(errorFromResponse(500, '<html>oops</html>').message, 'Something went wrong on the server.');
  assert.equal(errorFromResponse(502, 'bad gateway').message, 'bad gateway');
});

test('errorFromResponse reads Jira error collections and names the first field', () => {
  const e = errorFromResponse(400, JSON.stringify({ errorMessages: ['Bad'], errors: { summary: 'You must specify a summary.' } }));
  assert.equal(e.code, 'invalid');
  assert.equal(e.message, 'Bad; summary: You must specify a summary.');
  assert.equal(e.field, 'summary');
});

test('errorFromBridge finds the resolver error inside a bridge error', () => {
  const e = errorFromBridge(new Error('There was an error invoking the function - {"code":"forbidden","message":"approvers only"}'));
  assert.equal(e.code, 'forbidden');
  assert.equal(e.message, 'approvers only');
  const plain = errorFromBridge(new Error('boom'));
  assert.equal(plain.code, 'internal');
  assert.equal(plain.message, 'boom');
  const obj = errorFromBridge({ code: 'invalid', message: 'rationale is required', field: 'rationale' });
  assert.equal(obj.field, 'rationale');
});

test('createLocalInvoker parses JSON answers and maps error answers', async () => {
  const calls: { url: string; body?: string; auth?: string }[] = [];
  const fake = async (url: string, init: { body?: string; headers: Record<string, string> }) => {
    calls.push({ url, body: init.body, auth: init.headers.authorization });
    if (url.endsWith('/whoami')) return { ok: true, status: 200, text: async () => '{"accountId":"a1","isAdmin":true,"isApprover":true}' };
    return { ok: false, status: 400, text: async () => '{"code":"invalid","message":"rationale is required","field":"rationale"}' };
  };
  const api = createLocalInvoker(fake, 'http://127.0.0.1:9', () => creds);
  const me = await api.invoke<{ accountId: string }>('whoami');
  assert.equal(me.accountId, 'a1');
  await assert.rejects(api.invoke('requests.deny', { requestId: 'r' }), (e: unknown) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 'invalid');
    assert.equal(e.field, 'rationale');
    return true;
  });
  assert.equal(calls[0].auth, basicAuth(creds));
  assert.equal(calls[1].body, '{"requestId":"r"}');
});

test('createLocalInvoker reports an unreachable host as unavailable', async () => {
  const api = createLocalInvoker(async () => { throw new TypeError('fetch failed'); }, 'http://127.0.0.1:9', () => null);
  await assert.rejects(api.invoke('whoami'), (e: unknown) => e instanceof ApiError && e.code === 'unavailable');
});

test('detectHost is local without the Forge bridge and forge with it', () => {
  assert.equal(detectHost(), 'local');
  (globalThis as { __bridge?: unknown }).__bridge = { callBridge: () => undefined };
  try {
    assert.equal(detectHost(), 'forge');
  } finally {
    delete (globalThis as { __bridge?: unknown }).__bridge;
  }
});
