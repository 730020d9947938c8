// The Missive target of load.js (`--target missive`): the local runtime
// (`missive-local`, a release build) driven through the same methodology as
// the Socket.IO peer. Set up as bench/missive-bench does it (src/server.rs):
// a fresh data directory per case, rate limits lifted, a tenant and its users
// created with the platform key, HS256 platform tokens, the conversation
// created over REST; then the platform's own WebSocket protocol
// (docs/protocol.md): `sendMessage` frames out, `message.new` frames in.
//
// The WebSocket client is `ws`, the library socket.io-client itself uses
// under Node (a dependency of socket.io / socket.io-client, not one of ours),
// so both targets are read by the same WebSocket implementation.

import { createHmac } from 'node:crypto';
import { accessSync, constants as fsConstants, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

import { log, now, registerTempDir, removeTempDir, spawnServer } from './common.js';

const require = createRequire(import.meta.url);
const WS_VERSION = require('ws/package.json').version;

// As in bench/missive-bench/src/server.rs.
const JWT_SECRET = 'missive-bench-secret-0123456789';
const PLATFORM_KEY = 'missive-bench-platform-key';
const TENANT = 'bench';
const IDLE_USERS = 100; // idle connections are spread over this many users
const WS_OPTIONS = { perMessageDeflate: false, handshakeTimeout: 30_000 };

// ---------------------------------------------------------------- tokens
const b64url = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');

// A platform token (HS256) for a user of the bench tenant, valid for a day:
// the claims missive-bench's `token()` mints.
export function token(user) {
  const header = { typ: 'JWT', alg: 'HS256' };
  const claims = { sub: user, tid: TENANT, role: 'member', name: user, exp: Math.floor(Date.now() / 1000) + 86_400 };
  const signingInput = `${b64url(header)}.${b64url(claims)}`;
  const sig = createHmac('sha256', JWT_SECRET).update(signingInput).digest('base64url');
  return `${signingInput}.${sig}`;
}

// ---------------------------------------------------------------- server
export function checkBinary(bin) {
  try {
    accessSync(bin, fsConstants.X_OK);
    return null;
  } catch {
    return `no executable missive-local at ${bin}: build it with \`cargo build --release -p missive-local\` ` +
      '(from the repository root), or pass --missive-bin / MISSIVE_BIN';
  }
}

async function request(base, method, path, bearer, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// Starts `bin` on a free loopback port with a fresh data directory, waits for
// `Missive listening on http://HOST:PORT`, creates the bench tenant.
async function startServer(bin) {
  const dataDir = mkdtempSync(join(tmpdir(), 'missive-load-'));
  registerTempDir(dataDir);
  let proc;
  try {
    proc = await spawnServer({
      cmd: bin,
      args: ['--port', '0', '--no-demo', '--data-dir', dataDir],
      env: {
        ...process.env,
        MISSIVE_JWT_SECRET: JWT_SECRET,
        MISSIVE_PLATFORM_KEY: PLATFORM_KEY,
        MISSIVE_MAX_FRAMES_PER_10S: '100000000', // lift the per-connection rate limit
        // and the tenant's quotas: 1,000 msg/s with its warm-up is the messages default, and
        // 10,000 idle sockets are a tenant's connections for a big tenant (docs/operations.md)
        MISSIVE_QUOTA_MESSAGES_PER_MINUTE: '100000000',
        MISSIVE_QUOTA_CONNECTIONS: '100000000',
        RUST_LOG: process.env.MISSIVE_BENCH_LOG || 'error',
      },
      ready: /^Missive listening on (http:\/\/\S+)\s*$/,
      timeoutMs: 30_000,
    });
  } catch (err) {
    removeTempDir(dataDir);
    throw err;
  }
  const base = proc.match[1];
  const server = {
    pid: proc.pid,
    url: base,
    implVersion: null,
    async stop() {
      await proc.stop();
      removeTempDir(dataDir);
    },
    request: (method, path, bearer, body) => request(base, method, path, bearer, body),
    wsUrl: (user) => `${base.replace(/^http/, 'ws')}/ws?token=${token(user)}`,
    async createUsers(users) {
      for (const u of users) await server.request('PUT', `/v1/admin/users/${u}`, PLATFORM_KEY, { tenantId: TENANT, name: u });
    },
  };
  try {
    const health = await server.request('GET', '/v1/health', PLATFORM_KEY);
    server.implVersion = health && health.version ? String(health.version) : null;
    await server.request('POST', '/v1/admin/tenants', PLATFORM_KEY, { id: TENANT, name: 'Bench' });
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

// Opens one WebSocket; resolves once the server accepted it (101).
function openSocket(url, onMessage) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, WS_OPTIONS);
    const onError = (err) => reject(err);
    ws.once('error', onError);
    ws.once('open', () => {
      ws.off('error', onError);
      ws.on('error', (err) => log(`missive: socket error: ${err.message}`));
      resolve(ws);
    });
    if (onMessage) ws.on('message', onMessage);
  });
}

// ---------------------------------------------------------------- message cases
// A message's body: `<seq>:<sentAt ns>:` padded with `x` to `bodyBytes`
// (the Socket.IO payload carries the same three things in separate fields).
const makeBody = (seq, sentAt, bodyBytes) => {
  const head = `${seq}:${sentAt}:`;
  return head.length >= bodyBytes ? head : head + 'x'.repeat(bodyBytes - head.length);
};
const BODY_RE = /^(\d+):(\d+):/;

// `clients` users in one conversation (a direct one for 2, else a group
// created by the first), each with one WebSocket. `onDelivery(seq, sentAtNs, t)`
// for each `message.new` of this conversation, `onUnexpected()` for a malformed
// one or one of another conversation. Every other frame type is counted.
async function openRoom(server, caseName, clients, { onDelivery, onUnexpected, bodyBytes }) {
  const users = Array.from({ length: clients }, (_, i) => `${caseName}-u${i}`);
  await server.createUsers(users);
  const conversation = clients === 2
    ? { kind: 'direct', userId: users[1] }
    : { kind: 'group', title: caseName, memberIds: users.slice(1) };
  const created = await server.request('POST', '/v1/conversations', token(users[0]), conversation);
  const conversationId = created && created.id;
  if (!conversationId) throw new Error(`POST /v1/conversations: no id in ${JSON.stringify(created)}`);

  const otherFrames = {}; // frame type → count (acks of the sender, presence, …)
  const errors = { count: 0, first: null };
  const pongWaiters = new Map(); // socket index → resolve

  const handler = (idx) => (data) => {
    let f;
    try {
      f = JSON.parse(data.toString());
    } catch {
      onUnexpected();
      return;
    }
    // Receive time once the frame is decoded: socket.io-client also decodes
    // a packet before it calls the `msg` handler that reads the clock.
    const t = now();
    if (f && f.type === 'message.new') {
      const m = f.conversationId === conversationId && f.message && typeof f.message.body === 'string'
        ? BODY_RE.exec(f.message.body) : null;
      if (m) onDelivery(Number(m[1]), BigInt(m[2]), t);
      else onUnexpected();
      return;
    }
    const type = f && typeof f.type === 'string' ? f.type : '(no type)';
    otherFrames[type] = (otherFrames[type] || 0) + 1;
    if (type === 'error') {
      errors.count++;
      if (!errors.first) {
        errors.first = `${f.code}: ${f.message}`;
        log(`missive: error frame: ${errors.first}`);
      }
    } else if (type === 'pong' && pongWaiters.has(idx)) {
      pongWaiters.get(idx)();
      pongWaiters.delete(idx);
    }
  };

  const sockets = await Promise.all(users.map((u, i) => openSocket(server.wsUrl(u), handler(i))));
  // Every socket answers a `ping` before anything is sent (as every Socket.IO
  // client has its `join` acknowledged): the server's side of it is running.
  await Promise.all(sockets.map((ws, i) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socket ${i}: no pong within 10 s`)), 10_000);
    pongWaiters.set(i, () => {
      clearTimeout(timer);
      resolve();
    });
    ws.send(JSON.stringify({ action: 'ping' }));
  })));
  for (const k of Object.keys(otherFrames)) delete otherFrames[k]; // count from the first send on

  return {
    // Sends message `seq` from client `idx`; returns the send time.
    send(idx, seq) {
      const sentAt = now();
      sockets[idx].send(JSON.stringify({ action: 'sendMessage', conversationId, body: makeBody(seq, sentAt, bodyBytes) }));
      return sentAt;
    },
    close() {
      for (const ws of sockets) ws.close();
    },
    // Extra JSON fields for the case.
    extra() {
      return { other_frames: { ...otherFrames }, error_frames: errors.count, first_error: errors.first };
    },
  };
}

// ---------------------------------------------------------------- idle case
// Users for the idle connections (a hundred, as missive-bench), created before
// the baseline memory reading.
async function prepareIdle(server) {
  const users = Array.from({ length: IDLE_USERS }, (_, i) => `idle-u${i}`);
  await server.createUsers(users);
  const urls = users.map((u) => server.wsUrl(u));
  return { connect: (i) => openSocket(urls[i % urls.length]) };
}

function closeIdle(sockets) {
  for (const ws of sockets) ws.close();
}

// ---------------------------------------------------------------- target
export function missiveTarget(bin) {
  return {
    impl: 'missive',
    clientLib: 'ws',
    clientVersion: WS_VERSION,
    describe: bin,
    startServer: () => startServer(bin),
    openRoom,
    prepareIdle,
    closeIdle,
  };
}
