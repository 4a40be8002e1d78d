// The resolver error model and the Forge invoker (src/lib/errors.ts, src/lib/invoker.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResolverKey } from '../../src/lib/errors';
import {
  ApiError,
  ERROR_CODES,
  codeForStatus,
  defaultMessage,
  errorFromBody,
  errorFromBridge,
  errorFromResponse,
} from '../../src/lib/errors';
import { createForgeInvoker, type BridgeInvoke } from '../../src/lib/invoker';
import { ERROR_STATUS } from '../../src/generated/api';

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
