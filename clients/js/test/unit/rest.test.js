// MissiveRest on a fake fetch: what goes out (method, URL, headers, body) and how answers and
// errors come back.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MissiveError, MissiveRest } from '../../dist/index.js';

function fakeFetch(answer) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({
      url,
      method: init.method,
      headers: init.headers,
      body: init.body === undefined ? undefined : JSON.parse(init.body),
    });
    const { status = 200, body } = typeof answer === 'function' ? answer(url, init) : answer;
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    return new Response(status === 204 ? null : text, { status });
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
