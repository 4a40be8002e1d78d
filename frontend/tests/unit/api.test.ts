import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ApiError,
  ERROR_CODES,
  basicAuth,
  buildInvokeRequest,
  buildJiraRequest,
  buildRequestIssue,
  codeForStatus,
  createForgeInvoker,
  createLocalInvoker,
  defaultMessage,
  detectHost,
  errorFromBody,
  errorFromBridge,
  errorFromResponse,
  isResolverKey,
  type BridgeInvoke,
  type ResolverKey,
} from '../../src/api';
import { ERROR_STATUS, RESOLVERS } from '../../src/generated/api';

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

test('buildInvokeRequest refuses keys that are not resolver functions (a cast gets past tsc, not past this)', () => {
  const notKeys = ['../x/y', '', 'requests.approveAll', 'toString', '__proto__'];
  for (const k of notKeys) {
    assert.throws(
      () => buildInvokeRequest('http://h', k as ResolverKey, {}, null),
      (e: unknown) => e instanceof ApiError && e.code === 'invalid' && e.field === 'functionKey',
      k,
    );
  }
  assert.equal(isResolverKey('audit.rotateKey'), true);
  assert.equal(isResolverKey('constructor'), false);
  for (const k of Object.keys(RESOLVERS)) assert.doesNotThrow(() => buildInvokeRequest('http://h', k as ResolverKey, {}, null));
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

test('the UI knows every generated error code, each with a plain-words message', () => {
  assert.deepEqual([...ERROR_CODES].sort(), Object.keys(ERROR_STATUS).sort());
  assert.ok(ERROR_CODES.includes('too-large'));
  const messages = ERROR_CODES.map(defaultMessage);
  assert.equal(new Set(messages).size, ERROR_CODES.length, 'two codes share a message');
  for (const [i, m] of messages.entries()) {
    assert.match(m, /^[A-Z].*[.:;]/, `${ERROR_CODES[i]}: ${m}`);
    assert.doesNotMatch(m, /\b(HTTP|status|\d{3}|Error|null|undefined)\b/, `${ERROR_CODES[i]}: ${m}`);
  }
  assert.match(defaultMessage('too-large'), /too large/);
});

test('codeForStatus is ERROR_STATUS inverted', () => {
  for (const code of ERROR_CODES) assert.equal(codeForStatus(ERROR_STATUS[code]), code);
  assert.equal(codeForStatus(503), 'unavailable');
  assert.equal(codeForStatus(500), 'internal');
  assert.equal(codeForStatus(413), 'too-large');
  assert.equal(codeForStatus(429), 'rate-limited');
});

test('codeForStatus reads statuses no code owns by their class', () => {
  assert.equal(codeForStatus(422), 'invalid');
  assert.equal(codeForStatus(418), 'invalid');
  assert.equal(codeForStatus(502), 'unavailable');
  assert.equal(codeForStatus(504), 'unavailable');
  assert.equal(codeForStatus(501), 'internal');
  assert.equal(codeForStatus(0), 'internal');
});

test('errorFromResponse without a code in the body maps the status and says it in plain words', () => {
  for (const code of ERROR_CODES) {
    const status = ERROR_STATUS[code];
    const e = errorFromResponse(status, '');
    assert.equal(e.code, code);
    assert.equal(e.status, status);
    assert.equal(e.message, defaultMessage(code));
  }
  // A framework's or a proxy's own text is not for people.
  const big = errorFromResponse(413, 'Failed to buffer the request body: length limit exceeded');
  assert.equal(big.code, 'too-large');
  assert.equal(big.message, defaultMessage('too-large'));
  assert.equal(errorFromResponse(500, '<html>oops</html>').message, defaultMessage('internal'));
  assert.equal(errorFromResponse(502, 'bad gateway').code, 'unavailable');
});

test('the code in the body wins over the status', () => {
  const e = errorFromResponse(500, JSON.stringify({ code: 'unavailable', message: 'Jira did not answer' }));
  assert.equal(e.code, 'unavailable');
  assert.equal(e.message, 'Jira did not answer');
  assert.equal(e.status, 500);
});

test('errorFromBody reads retryAfter, fills a blank message and maps an unknown code by status', () => {
  const limited = errorFromBody({ code: 'rate-limited', message: 'at most 5 a minute; try again in 12 s', retryAfter: 12 }, 429);
  assert.equal(limited?.code, 'rate-limited');
  assert.equal(limited?.retryAfter, 12);
  assert.equal(errorFromBody({ code: 'too-large', message: ' ' })?.message, defaultMessage('too-large'));
  assert.equal(errorFromBody({ code: 'teapot', message: 'short and stout' }, 503)?.code, 'unavailable');
  assert.equal(errorFromBody({ code: 'teapot', message: 'short and stout' })?.code, 'internal');
  assert.equal(errorFromBody({ error: { code: 'not-found', message: 'no such grant', field: 'grantId' } })?.field, 'grantId');
  assert.equal(errorFromBody({ message: 'no code' }), null);
  assert.equal(errorFromBody('text'), null);
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
  const statusOnly = errorFromBridge(Object.assign(new Error('Request failed'), { status: 503 }));
  assert.equal(statusOnly.code, 'unavailable');
  assert.equal(statusOnly.message, defaultMessage('unavailable'));
  const tooLarge = errorFromBridge({ status: 413, message: 'payload' });
  assert.equal(tooLarge.code, 'too-large');
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
  const me = await api.invoke('whoami', {});
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
  await assert.rejects(api.invoke('whoami', {}), (e: unknown) => e instanceof ApiError && e.code === 'unavailable');
});

test('detectHost is local without the Forge bridge and forge with it', () => {
  // The test preload (tests/setup/register.mjs) installs a bridge: take it away for this test.
  const g = globalThis as { __bridge?: unknown };
  const preloaded = g.__bridge;
  delete g.__bridge;
  try {
    assert.equal(detectHost(), 'local');
    g.__bridge = { callBridge: () => undefined };
    assert.equal(detectHost(), 'forge');
  } finally {
    g.__bridge = preloaded;
  }
});

test('createForgeInvoker maps bridge rejections and error answers by code, and passes answers through', async () => {
  const seen: { key: string; payload?: Record<string, unknown> }[] = [];
  const answers: Record<string, () => Promise<unknown>> = {
    whoami: async () => ({ accountId: 'a1', isAdmin: false, isApprover: true }),
    'requests.deny': async () => {
      throw new Error('There was an error invoking the function - {"code":"invalid","message":"rationale is required","field":"rationale"}');
    },
    'audit.export': async () => {
      throw Object.assign(new Error('Payload too large'), { status: 413 });
    },
    'grants.extend': async () => ({ error: { code: 'conflict', message: 'the grant changed meanwhile' } }),
  };
  const bridge: BridgeInvoke = async (key, payload) => {
    seen.push({ key, payload });
    return answers[key]();
  };
  const invoke = createForgeInvoker(async () => bridge);
  const me = await invoke('whoami', {});
  assert.equal(me.accountId, 'a1');
  const code = async (p: Promise<unknown>): Promise<string> => {
    try {
      await p;
      return 'resolved';
    } catch (e) {
      assert.ok(e instanceof ApiError);
      return e.field ? `${e.code}:${e.field}` : e.code;
    }
  };
  assert.equal(await code(invoke('requests.deny', { requestId: '10001', rationale: '' })), 'invalid:rationale');
  assert.equal(await code(invoke('audit.export', {})), 'too-large');
  assert.equal(await code(invoke('grants.extend', { grantId: 'g-1', days: 7, rationale: 'more' })), 'conflict');
  assert.equal(await code(invoke('nope' as ResolverKey, {})), 'invalid:functionKey');
  assert.deepEqual(seen.map((s) => s.key), ['whoami', 'requests.deny', 'audit.export', 'grants.extend']);
  assert.deepEqual(seen[3].payload, { grantId: 'g-1', days: 7, rationale: 'more' });
});

test('createLocalInvoker maps a status-only answer by ERROR_STATUS', async () => {
  const statuses: Record<string, number> = { 'audit.export': 413, 'audit.verify': 503, 'audit.keys': 500 };
  const api = createLocalInvoker(
    async (url) => {
      const key = decodeURIComponent(url.split('/').pop() ?? '');
      return { ok: false, status: statuses[key], text: async () => '' };
    },
    'http://127.0.0.1:9',
    () => creds,
  );
  const codeOf = async (p: Promise<unknown>): Promise<string> => p.then(() => 'resolved', (e: ApiError) => e.code);
  assert.equal(await codeOf(api.invoke('audit.export', {})), 'too-large');
  assert.equal(await codeOf(api.invoke('audit.verify', {})), 'unavailable');
  assert.equal(await codeOf(api.invoke('audit.keys', {})), 'internal');
});
