// The real local runtime for integration tests: started on a free port with its own data
// directory, killed (SIGKILL) and restarted on the same port and data when a test says so.
// The binary is MISSIVE_LOCAL_BIN (default /tmp/missive-local-bin).

import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { MissiveAdmin } from '../../dist/admin.js';
import { MissiveClient, MissiveRest } from '../../dist/index.js';
import { spawnLocal } from './spawn-local.js';

export const JWT_SECRET = 'missive-client-tests-secret-0123456789';
export const PLATFORM_KEY = 'missive-client-tests-platform-key';
export const BINARY = process.env.MISSIVE_LOCAL_BIN || '/tmp/missive-local-bin';

export function tempDataDir(t) {
  const dir = mkdtempSync(join(tmpdir(), 'missive-client-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Starts the binary on `port` (0: a free one) over `dataDir`; resolves once it prints
 * "Missive listening on …". On a restart the port may still be held a moment: retried.
 */
export async function startServer({ dataDir, port = 0, args = [], env = {} }) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await launch({ dataDir, port, args, env });
    } catch (error) {
      if (attempt >= 50 || port === 0 || !/address|in use/i.test(String(error.message))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function launch({ dataDir, port, args, env }) {
  const { base, child, exited } = await spawnLocal({
    binary: BINARY,
    args: ['--data-dir', dataDir, '--port', String(port), '--no-demo', ...args],
    env: { MISSIVE_JWT_SECRET: JWT_SECRET, MISSIVE_PLATFORM_KEY: PLATFORM_KEY, ...env },
  });
  return {
    base,
    port: Number(new URL(base).port),
    wsUrl: `${base.replace(/^http/, 'ws')}/ws`,
    /** SIGKILL: no shutdown, no $disconnect; resolves when the process is gone. */
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    killNow() {
      child.kill('SIGKILL');
    },
    exited,
  };
}

/** An HS256 platform token, as a platform's backend signs it. */
export function token({ sub, tid = 'acme', role = 'member', name = sub, ttlSeconds = 3600 }) {
  const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const head = b64({ alg: 'HS256', typ: 'JWT' });
  const body = b64({ sub, tid, role, name, exp: Math.floor(Date.now() / 1000) + ttlSeconds });
  const signature = createHmac('sha256', JWT_SECRET).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

/** Creates the tenant `acme` with the platform key. */
export async function createTenant(server, id = 'acme') {
  const platform = new MissiveAdmin({ baseUrl: server.base, getToken: () => PLATFORM_KEY });
  return platform.createTenant({ id, name: 'Acme', locale: 'en' });
}

/** A ws WebSocket class that records its sockets (to kill one from the test). */
export function trackedWebSocket() {
  const sockets = [];
  class TrackedWebSocket extends WebSocket {
    constructor(url) {
      super(url);
      this.closedByClient = false;
      sockets.push(this);
    }
    close(code, reason) {
      // ws itself calls close() to answer the server's close frame (after setting
      // _closeFrameReceived): only a close before any close frame is the client's decision.
      const open = this.readyState === WebSocket.OPEN || this.readyState === WebSocket.CONNECTING;
      if (open && !this._closeFrameReceived) this.closedByClient = true;
      super.close(code, reason);
    }
  }
  return { TrackedWebSocket, sockets };
}

/** A client for `user` on `server`, with short timings, whose sockets the test can reach. */
export function client(server, user, options = {}) {
  const { TrackedWebSocket, sockets } = trackedWebSocket();
  const c = new MissiveClient({
    url: server.wsUrl,
    getToken: () => token({ sub: user, name: user[0].toUpperCase() + user.slice(1) }),
    WebSocket: TrackedWebSocket,
    backoff: { baseMs: 50, maxMs: 500 },
    ackTimeoutMs: 5_000,
    settleSyncMs: 300,
    ...options,
  });
  const states = [];
  c.on('state', (change) => states.push(change.state));
  return {
    client: c,
    sockets,
    states,
    get socket() {
      return sockets.at(-1);
    },
  };
}

export function rest(server, user, role = 'member') {
  return new MissiveRest({ baseUrl: server.base, getToken: () => token({ sub: user, role, name: user }) });
}

/** The same with the operator's and the local runtime's routes (`@missive/client/admin`). */
export function adminRest(server, user, role = 'member') {
  return new MissiveAdmin({ baseUrl: server.base, getToken: () => token({ sub: user, role, name: user }) });
}

/** Waits until `condition()` is true, polling; fails after a generous timeout. */
export async function waitFor(condition, { timeoutMs = 60_000, what = 'a condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
