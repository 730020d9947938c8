// MissiveRest on a fake fetch: what goes out (method, URL, headers, body) and how answers and
// errors come back.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MissiveError, MissiveRest } from '../../dist/index.js';
import { MissiveAdmin } from '../../dist/admin.js';

function fakeFetch(answer) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({
      url,
      method: init.method,
      headers: init.headers,
      body: init.body === undefined ? undefined : JSON.parse(init.body),
    });
    const { status = 200, body, headers } = typeof answer === 'function' ? answer(url, init) : answer;
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    return new Response(status === 204 ? null : text, { status, headers });
  };
  return { fetch, calls };
}

test('requests carry the bearer token, JSON bodies, and only the query parameters given', async () => {
  const { fetch, calls } = fakeFetch({ body: { messages: [], olderCursor: null, newerCursor: null } });
  const rest = new MissiveRest({ baseUrl: 'http://api.test/', getToken: async () => 'tok', fetch });
  await rest.listMessages('c/1', { before: '01K', limit: 10, after: undefined });
  assert.equal(calls[0].url, 'http://api.test/v1/conversations/c%2F1/messages?before=01K&limit=10');
  assert.equal(calls[0].method, 'GET');
  assert.equal(calls[0].headers.authorization, 'Bearer tok');
  assert.equal(calls[0].body, undefined);

  await rest.markRead('c1', 'm1');
  assert.deepEqual(calls[1], {
    url: 'http://api.test/v1/conversations/c1/read',
    method: 'POST',
    headers: { accept: 'application/json', authorization: 'Bearer tok', 'content-type': 'application/json' },
    body: { messageId: 'm1' },
  });
});

test('the global fetch is called on the global object, as browsers require', async (t) => {
  // A browser's fetch throws "Illegal invocation" when `this` is another object.
  const original = globalThis.fetch;
  t.after(() => {
    globalThis.fetch = original;
  });
  globalThis.fetch = function (url) {
    if (this !== globalThis && this !== undefined) throw new TypeError("Failed to execute 'fetch': Illegal invocation");
    return Promise.resolve(new Response(JSON.stringify({ url }), { status: 200 }));
  };
  const rest = new MissiveRest({ baseUrl: 'http://api.test' });
  assert.deepEqual(await rest.health(), { url: 'http://api.test/v1/health' });
});

test('public routes send no token', async () => {
  const { fetch, calls } = fakeFetch({ status: 201, body: { token: 'g' } });
  const rest = new MissiveRest({ baseUrl: 'http://api.test', getToken: () => 'tok', fetch });
  await rest.createGuestSession('shop', { name: 'Zoé' });
  assert.equal(calls[0].headers.authorization, undefined);
  assert.deepEqual(calls[0].body, { name: 'Zoé' });
});

test('created-or-existing answers tell which it was; a send gets a clientMessageId', async () => {
  let status = 201;
  const { fetch, calls } = fakeFetch(() => ({ status, body: { id: 'm1' } }));
  const rest = new MissiveRest({ baseUrl: 'http://api.test', getToken: () => 'tok', fetch });
  assert.deepEqual(await rest.postMessage('c1', 'hi'), { value: { id: 'm1' }, created: true });
  assert.match(calls[0].body.clientMessageId, /^[0-9a-f-]{32,36}$/);
  status = 200;
  assert.deepEqual(await rest.postMessage('c1', 'hi', { clientMessageId: 'x' }), {
    value: { id: 'm1' },
    created: false,
  });
  assert.equal(calls[1].body.clientMessageId, 'x');
});

test("errors are MissiveError with the server's code and the HTTP status", async () => {
  const { fetch } = fakeFetch({
    status: 404,
    body: { error: { code: 'not_found', message: 'conversation not found' } },
  });
  const rest = new MissiveRest({ baseUrl: 'http://api.test', getToken: () => 'tok', fetch });
  await assert.rejects(rest.getConversation('nope'), (e) => {
    assert.ok(e instanceof MissiveError);
    assert.deepEqual([e.code, e.status, e.message], ['not_found', 404, 'conversation not found']);
    return true;
  });
});

test('a refusal that says why (moderated) keeps its reason; others have none', async () => {
  const { fetch } = fakeFetch({
    status: 422,
    body: { error: { code: 'moderated', message: 'phone numbers are not allowed here', reason: 'phone' } },
  });
  const rest = new MissiveRest({ baseUrl: 'http://api.test', getToken: () => 'tok', fetch });
  await assert.rejects(rest.postMessage('c1', 'call me: 06 12 34 56 78'), (e) => {
    assert.deepEqual([e.code, e.status, e.reason], ['moderated', 422, 'phone']);
    return true;
  });
  const plain = new MissiveRest({
    baseUrl: 'http://api.test',
    getToken: () => 'tok',
    fetch: fakeFetch({ status: 404, body: { error: { code: 'not_found', message: 'no' } } }).fetch,
  });
  await assert.rejects(plain.me(), (e) => e.code === 'not_found' && e.reason === undefined);
});

test('quota_exceeded carries its quota and retryAfter: from the body, else from Retry-After; never retried', async () => {
  const detail = { code: 'quota_exceeded', message: "the tenant's quota (messagesPerMinute) is used up" };
  let answer;
  const { fetch, calls } = fakeFetch(() => answer);
  const rest = new MissiveRest({ baseUrl: 'http://api.test', getToken: () => 'tok', fetch });
  const refusal = async (call) => {
    const error = await call.then(() => assert.fail('not refused'), (e) => e);
    assert.ok(error instanceof MissiveError);
    return [error.code, error.status, error.quota, error.retryAfter];
  };

  // The body's figure comes first (a browser may not be allowed to read the header).
  answer = {
    status: 429,
    headers: { 'retry-after': '99' },
    body: { error: { ...detail, quota: 'messagesPerMinute', retryAfter: 17 } },
  };
  assert.deepEqual(await refusal(rest.postMessage('c1', 'hi')), ['quota_exceeded', 429, 'messagesPerMinute', 17]);
  assert.equal(calls.length, 1, 'answered at once, not tried again');

  answer = { status: 429, headers: { 'Retry-After': '42' }, body: { error: { ...detail, quota: 'uploadBytesPerDay' } } };
  assert.deepEqual(await refusal(rest.me()), ['quota_exceeded', 429, 'uploadBytesPerDay', 42]);

  // Neither, or a header that is a date: no figure.
  answer = { status: 429, body: { error: detail } };
  assert.deepEqual(await refusal(rest.me()), ['quota_exceeded', 429, undefined, undefined]);
  answer = { status: 429, headers: { 'retry-after': 'Wed, 21 Oct 2026 07:28:00 GMT' }, body: { error: detail } };
  assert.deepEqual(await refusal(rest.me()), ['quota_exceeded', 429, undefined, undefined]);

  // Other refusals have no quota (`retryAfter` when the server sent the header); a 429 without
  // Missive's body is still rate_limited.
  answer = { status: 404, body: { error: { code: 'not_found', message: 'no' } } };
  assert.deepEqual(await refusal(rest.me()), ['not_found', 404, undefined, undefined]);
  answer = { status: 503, headers: { 'retry-after': '1' }, body: { error: { code: 'unavailable', message: 'busy' } } };
  assert.deepEqual(await refusal(rest.me()), ['unavailable', 503, undefined, 1]);
  answer = { status: 429, headers: { 'retry-after': '5' }, body: 'Too Many Requests' };
  assert.deepEqual((await refusal(rest.me())).slice(0, 3), ['rate_limited', 429, undefined]);
  assert.equal(calls.length, 7, 'each call answered at once, none tried again');
});

test("the admin's moderation routes: read, replace, try a text", async () => {
  const moderation = { rules: [], preSendHook: null, updatedAt: null };
  const { fetch, calls } = fakeFetch((url, init) =>
    url.endsWith('/check')
      ? { body: { action: 'mask', body: '•• •• •• •• ••', reasons: ['phone'] } }
      : init.method === 'PUT'
        ? { body: { moderation, preSendHookSecret: null } }
        : { body: moderation },
  );
  const admin = new MissiveAdmin({ baseUrl: 'http://api.test', getToken: () => 'tok', fetch });
  assert.deepEqual(await admin.getModeration(), moderation);
  const rule = { kinds: ['storefront'], words: [], patterns: [], contacts: ['phone'], action: 'mask' };
  assert.deepEqual(await admin.setModeration({ rules: [rule], preSendHook: null }), {
    moderation,
    preSendHookSecret: null,
  });
  const check = await admin.checkModeration({ body: '06 12 34 56 78', kind: 'storefront' });
  assert.equal(check.body, '•• •• •• •• ••');
  assert.deepEqual(
    calls.map((c) => [c.method, c.url, c.headers.authorization, c.body]),
    [
      ['GET', 'http://api.test/v1/moderation', 'Bearer tok', undefined],
      ['PUT', 'http://api.test/v1/moderation', 'Bearer tok', { rules: [rule], preSendHook: null }],
      ['POST', 'http://api.test/v1/moderation/check', 'Bearer tok', { body: '06 12 34 56 78', kind: 'storefront' }],
    ],
  );
});

test("the admin's export and audit routes: the user's id in the path, the tenant and a page in the query", async () => {
  const { fetch, calls } = fakeFetch((url, init) =>
    url.includes('/audit')
      ? { body: { entries: [], nextCursor: null } }
      : { status: init.method === 'POST' ? 202 : 200, body: { id: 'x1', status: 'pending' } },
  );
  const platform = new MissiveAdmin({ baseUrl: 'http://api.test', getToken: () => 'key', fetch });
  assert.deepEqual(await platform.requestExport('é/1', { tenantId: 'acme' }), { id: 'x1', status: 'pending' });
  await platform.getExport('x1');
  const page = await platform.auditLog({ tenantId: 'acme', cursor: 'c', limit: 2 });
  assert.deepEqual(page, { entries: [], nextCursor: null });
  await platform.auditLog();
  assert.deepEqual(
    calls.map((c) => [c.method, c.url, c.body]),
    [
      ['POST', 'http://api.test/v1/admin/users/%C3%A9%2F1/export?tenantId=acme', undefined],
      ['GET', 'http://api.test/v1/admin/exports/x1', undefined],
      ['GET', 'http://api.test/v1/admin/audit?tenantId=acme&cursor=c&limit=2', undefined],
      ['GET', 'http://api.test/v1/admin/audit', undefined],
    ],
  );
});

test("the admin's erasure: DELETE on the user, the tenant in the query, the answer as it came", async () => {
  const erasure = { userId: 'é/1', erasedAt: '2026-11-24T10:00:00Z' };
  const { fetch, calls } = fakeFetch({ status: 202, body: erasure });
  const platform = new MissiveAdmin({ baseUrl: 'http://api.test', getToken: () => 'key', fetch });
  assert.deepEqual(await platform.eraseUser('é/1', { tenantId: 'acme' }), erasure);
  await platform.eraseUser('bob');
  assert.deepEqual(
    calls.map((c) => [c.method, c.url, c.headers.authorization, c.body]),
    [
      ['DELETE', 'http://api.test/v1/admin/users/%C3%A9%2F1?tenantId=acme', 'Bearer key', undefined],
      ['DELETE', 'http://api.test/v1/admin/users/bob', 'Bearer key', undefined],
    ],
  );
});

test('answers without an error body, network failures and token failures have codes of their own', async () => {
  const proxy = new MissiveRest({
    baseUrl: 'http://api.test',
    getToken: () => 'tok',
    fetch: fakeFetch({ status: 502, body: '<html>bad gateway</html>' }).fetch,
  });
  await assert.rejects(proxy.me(), (e) => e.code === 'internal' && e.status === 502);
  const busy = new MissiveRest({
    baseUrl: 'http://api.test',
    getToken: () => 'tok',
    fetch: fakeFetch({ status: 503, body: '<html>service unavailable</html>' }).fetch,
  });
  await assert.rejects(busy.me(), (e) => e.code === 'unavailable' && e.status === 503);

  const offline = new MissiveRest({
    baseUrl: 'http://api.test',
    getToken: () => 'tok',
    fetch: async () => {
      throw new TypeError('fetch failed');
    },
  });
  await assert.rejects(
    offline.me(),
    (e) => e.code === 'network_error' && e.status === undefined && e.cause instanceof TypeError,
  );

  const noToken = new MissiveRest({
    baseUrl: 'http://api.test',
    getToken: () => '',
    fetch: fakeFetch({ body: {} }).fetch,
  });
  await assert.rejects(noToken.me(), (e) => e.code === 'token_error');
});

test('204 answers resolve to nothing; health answers even when degraded', async () => {
  const rest = new MissiveRest({
    baseUrl: 'http://api.test',
    getToken: () => 'tok',
    fetch: fakeFetch({ status: 204 }).fetch,
  });
  assert.equal(await rest.deleteReminder('r1'), undefined);
  const degraded = { status: 'degraded', version: '0.1.0', checks: { storage: 'unavailable' } };
  const health = new MissiveRest({
    baseUrl: 'http://api.test',
    fetch: fakeFetch({ status: 503, body: degraded }).fetch,
  });
  assert.deepEqual(await health.health(), degraded);
});
