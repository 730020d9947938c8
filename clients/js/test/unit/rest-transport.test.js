// MissiveRest's transport on a fake fetch and a fake clock: request timeouts, the caller's
// AbortSignal, and the token cache (reuse, expiry, a 401 that asks for a new token).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MissiveError, MissiveRest } from '../../dist/index.js';
import { FakeClock, settle } from '../support/fake-clock.js';

/** A fetch whose answers the test gives (`answer()`), and that honours its signal as fetch does. */
function pendingFetch() {
  const calls = [];
  const fetch = (url, init) =>
    new Promise((resolve, reject) => {
      const call = { url, init, answer: (status, body) => resolve(new Response(JSON.stringify(body), { status })) };
      calls.push(call);
      init.signal?.addEventListener('abort', () => reject(init.signal.reason));
    });
  return { fetch, calls };
}

/** A fetch answering at once: `status` and body per call from `answer(call)`. */
function answeringFetch(answer) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url, authorization: init.headers.authorization });
    const { status = 200, body = {} } = answer(calls.length);
    return new Response(JSON.stringify(body), { status });
  };
  return { fetch, calls };
}

/** A JWT-shaped token (unsigned: only its `exp` matters here). */
function jwt(expSeconds, n) {
  const part = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'HS256' })}.${part({ sub: 'me', exp: expSeconds, n })}.sig`;
}

test('a request without an answer in requestTimeoutMs is aborted and rejects with timeout; a call may set its own', async () => {
  const clock = new FakeClock();
  const { fetch, calls } = pendingFetch();
  const rest = new MissiveRest({ baseUrl: 'http://api.test', fetch, clock, requestTimeoutMs: 5_000 });
  const me = rest.me();
  const rejected = assert.rejects(me, (e) => e instanceof MissiveError && e.code === 'timeout');
  await settle();
  await clock.advance(4_999);
  assert.equal(calls[0].init.signal.aborted, false);
  await clock.advance(1);
  await rejected;
  assert.equal(calls[0].init.signal.aborted, true, 'the fetch itself is aborted');

  const quick = rest.listConversations({}, { timeoutMs: 100 });
  const quickRejected = assert.rejects(quick, (e) => e.code === 'timeout' && /100 ms/.test(e.message));
  await settle();
  await clock.advance(100);
  await quickRejected;

  const answered = rest.getConversation('c1', { timeoutMs: 0 }); // 0: no limit
  await settle();
  await clock.advance(3_600_000);
  calls[2].answer(200, { id: 'c1' });
  assert.deepEqual(await answered, { id: 'c1' });
  assert.deepEqual(clock.pendingDelays(), [], 'no timer left behind');
});

test('the default timeout is 30 s', async () => {
  const clock = new FakeClock();
  const rest = new MissiveRest({ baseUrl: 'http://api.test', fetch: pendingFetch().fetch, clock });
  const rejected = assert.rejects(rest.health(), (e) => e.code === 'timeout');
  await settle();
  assert.deepEqual(clock.pendingDelays(), [30_000]);
  await clock.advance(30_000);
  await rejected;
});

test("the caller's AbortSignal aborts the request with `aborted`, its reason as the cause; an aborted signal sends nothing", async () => {
  const clock = new FakeClock();
  const { fetch, calls } = pendingFetch();
  const rest = new MissiveRest({ baseUrl: 'http://api.test', getToken: () => 'tok', fetch, clock });
  const controller = new AbortController();
  const page = rest.listMessages('c1', { limit: 10 }, { signal: controller.signal });
  await settle();
  assert.equal(calls.length, 1);
  controller.abort('the user left the conversation');
  await assert.rejects(page, (e) => {
    assert.ok(e instanceof MissiveError);
    assert.deepEqual([e.code, e.cause], ['aborted', 'the user left the conversation']);
    return true;
  });
  assert.equal(calls[0].init.signal.aborted, true);
  assert.deepEqual(clock.pendingDelays(), [], 'its timeout is cleared');

  await assert.rejects(rest.me({ signal: AbortSignal.abort() }), (e) => e.code === 'aborted');
  assert.equal(calls.length, 1, 'nothing sent');

  // postMessage keeps its clientMessageId next to the call options.
  const later = new AbortController();
  const posted = rest.postMessage('c1', 'hi', { clientMessageId: 'x', signal: later.signal });
  await settle();
  assert.equal(JSON.parse(calls[1].init.body).clientMessageId, 'x');
  later.abort();
  await assert.rejects(posted, (e) => e.code === 'aborted');
});

test('token cache: one getToken for many requests, concurrent ones included, until tokenCacheMs', async () => {
  const clock = new FakeClock();
  let asked = 0;
  const { fetch, calls } = answeringFetch(() => ({}));
  const rest = new MissiveRest({
    baseUrl: 'http://api.test',
    getToken: async () => `tok-${++asked}`,
    fetch,
    clock,
    tokenCacheMs: 60_000,
  });
  await Promise.all([rest.me(), rest.listUsers(), rest.listConversations()]);
  await rest.getNotificationSettings();
  assert.equal(asked, 1);
  assert.deepEqual(new Set(calls.map((c) => c.authorization)), new Set(['Bearer tok-1']));
  await clock.advance(60_000);
  await rest.me();
  assert.equal(asked, 2);
  assert.equal(calls.at(-1).authorization, 'Bearer tok-2');
  await rest.createGuestSession('shop', { name: 'Zoé' });
  assert.equal(asked, 2, 'public routes ask for no token');
});

test("token cache: a JWT is not reused within a minute of its `exp`", async () => {
  const clock = new FakeClock();
  const nowSeconds = clock.now() / 1000;
  let asked = 0;
  const rest = new MissiveRest({
    baseUrl: 'http://api.test',
    getToken: () => jwt(nowSeconds + 90, ++asked),
    fetch: answeringFetch(() => ({})).fetch,
    clock,
  });
  await rest.me();
  await clock.advance(29_000);
  await rest.me();
  assert.equal(asked, 1, 'reused while more than a minute is left');
  await clock.advance(1_000);
  await rest.me();
  assert.equal(asked, 2, 'a new one 30 s before exp');
});

test('token cache: a 401 drops the token and the call is tried once more with a new one', async () => {
  const clock = new FakeClock();
  let asked = 0;
  const { fetch, calls } = answeringFetch((n) =>
    n === 2 ? { status: 401, body: { error: { code: 'unauthorized', message: 'token expired' } } } : { body: { n } },
  );
  const rest = new MissiveRest({ baseUrl: 'http://api.test', getToken: () => `tok-${++asked}`, fetch, clock });
  await rest.me();
  assert.deepEqual(await rest.me(), { n: 3 });
  assert.deepEqual(
    calls.map((c) => c.authorization),
    ['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-2'],
  );

  // Refused again with the new token: the 401 is the answer.
  const refusing = answeringFetch(() => ({ status: 401, body: { error: { code: 'unauthorized', message: 'no' } } }));
  const refused = new MissiveRest({ baseUrl: 'http://api.test', getToken: () => 'bad', fetch: refusing.fetch, clock });
  await assert.rejects(refused.me(), (e) => e.code === 'unauthorized' && e.status === 401);
  assert.equal(refusing.calls.length, 2, 'one more try, not more');
});

test('tokenCacheMs 0 asks getToken for every request; getToken failing with auth_failed is passed on as it is', async () => {
  let asked = 0;
  const uncached = new MissiveRest({
    baseUrl: 'http://api.test',
    getToken: () => `tok-${++asked}`,
    fetch: answeringFetch(() => ({})).fetch,
    tokenCacheMs: 0,
  });
  await uncached.me();
  await uncached.me();
  assert.equal(asked, 2);

  const signedOut = new MissiveRest({
    baseUrl: 'http://api.test',
    getToken: () => {
      throw new MissiveError('auth_failed', 'signed out');
    },
    fetch: answeringFetch(() => ({})).fetch,
  });
  await assert.rejects(signedOut.me(), (e) => e.code === 'auth_failed' && e.message === 'signed out');
});
