// Load client for Missive's benchmark against its Socket.IO comparison peer.
//
// One methodology, two targets: `--target socketio` (default) starts
// `node server.js` (the plain Socket.IO 4 peer) and drives it with
// socket.io-client; `--target missive` starts the local runtime
// (`target/release/missive-local`) and drives it over its own WebSocket
// protocol (missive.js). Either way a fresh server process per case; the
// selected cases run one after the other and print one JSON object per case on
// stdout (one line each), then a human-readable table. Progress goes to
// stderr. See README.md for the exact methodology.
//
// Usage: node load.js [--target socketio|missive] [--missive-bin PATH]
//                     [--cases direct,group100_100,group100_1000,idle10k]
//                     [--duration 10] [--idle 10000]
// Env equivalents: TARGET, MISSIVE_BIN, CASES, DURATION, IDLE (argv wins).

import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';

import {
  CLK_TCK, connectAll, die, hostBusyPct, log, now, nsToMs, openFileLimits, percentile, procCpuMs,
  procStatusKb, round2, selfCpuMs, sleep, spawnServer,
} from './common.js';
import { checkBinary, missiveTarget } from './missive.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const SOCKET_IO_VERSION = require('socket.io/package.json').version;
const SOCKET_IO_CLIENT_VERSION = require('socket.io-client/package.json').version;
const DEFAULT_MISSIVE_BIN = resolvePath(HERE, '../../target/release/missive-local');

// ---------------------------------------------------------------- constants
const WARMUP_S = 1; // warm-up at the case's rate, samples discarded
const STRAGGLER_WAIT_S = 5; // max wait for deliveries after the send window
const RATE_DRAIN_S = 2; // drain allowance counted in deliveries/s
const IDLE_SETTLE_S = 2; // wait after the last idle connect before reading RSS
const BODY_BYTES = 64; // `body` is a string of this many ASCII bytes
const CONNECT_CONCURRENCY = 500; // idle case: connection attempts in flight
const CONNECT_TIMEOUT_MS = 30_000; // idle case: per-connection timeout
const FD_MARGIN = 256; // file descriptors kept free beyond the N sockets

const MESSAGE_CASES = {
  direct: { clients: 2, rate: 500, senders: 'first' },
  group100_100: { clients: 100, rate: 100, senders: 'rotate' },
  group100_1000: { clients: 100, rate: 1000, senders: 'rotate' },
};
const ALL_CASES = [...Object.keys(MESSAGE_CASES), 'idle10k'];
const TARGETS = ['socketio', 'missive'];

// ---------------------------------------------------------------- options
function parseOptions() {
  const opts = {
    target: process.env.TARGET || 'socketio',
    missiveBin: process.env.MISSIVE_BIN || DEFAULT_MISSIVE_BIN,
    cases: process.env.CASES || ALL_CASES.join(','),
    duration: process.env.DURATION || '10',
    idle: process.env.IDLE || '10000',
  };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let v;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) {
      v = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    const next = () => (v !== undefined ? v : argv[++i]);
    switch (a) {
      case '--target': opts.target = next(); break;
      case '--missive-bin': opts.missiveBin = next(); break;
      case '--cases': opts.cases = next(); break;
      case '--duration': opts.duration = next(); break;
      case '--idle': opts.idle = next(); break;
      case '--table': opts.table = next(); break;
      case '-h':
      case '--help':
        process.stdout.write(
          'usage: node load.js [--target socketio|missive] [--missive-bin ' + DEFAULT_MISSIVE_BIN + ']\n' +
          '                    [--cases ' + ALL_CASES.join(',') + '] [--duration 10] [--idle 10000]\n' +
          '       node load.js --table results.jsonl   (reprint the table from saved JSON lines)\n');
        process.exit(0);
        break;
      default:
        die(`unknown argument: ${a}`);
    }
  }
  if (opts.table) return { table: opts.table };
  if (!TARGETS.includes(opts.target)) die(`unknown target: ${opts.target} (known: ${TARGETS.join(', ')})`);
  const cases = String(opts.cases).split(',').map((s) => s.trim()).filter(Boolean);
  for (const c of cases) if (!ALL_CASES.includes(c)) die(`unknown case: ${c} (known: ${ALL_CASES.join(', ')})`);
  const duration = Number(opts.duration);
  if (!(duration > 0)) die(`--duration must be a positive number of seconds, got ${opts.duration}`);
  const idle = Number(opts.idle);
  if (!Number.isInteger(idle) || idle < 1) die(`--idle must be a positive integer, got ${opts.idle}`);
  return { target: opts.target, missiveBin: resolvePath(opts.missiveBin), cases, duration, idle };
}

// ---------------------------------------------------------------- socket.io target
// The plain Socket.IO 4 server (server.js) and socket.io-client sockets.
function connectClient(url) {
  const socket = io(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    timeout: CONNECT_TIMEOUT_MS,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

function closeAll(sockets) {
  for (const s of sockets) s.disconnect();
}

async function startSocketIoServer() {
  const proc = await spawnServer({
    cmd: process.execPath,
    args: [join(HERE, 'server.js')],
    env: { ...process.env, PORT: '0' },
    ready: /^listening on (\d+)$/,
    firstLine: true,
  });
  const port = Number(proc.match[1]);
  return { pid: proc.pid, url: `http://127.0.0.1:${port}`, implVersion: SOCKET_IO_VERSION, stop: proc.stop };
}

// `clients` sockets in one room; `onDelivery(seq, sentAtNs, t)` for each `msg`
// of this room, `onUnexpected()` for a malformed or wrong-room one.
async function openSocketIoRoom(server, caseName, clients, { onDelivery, onUnexpected, bodyBytes }) {
  const room = `bench-${caseName}`;
  const body = 'x'.repeat(bodyBytes);
  const { sockets, failed, firstError } = await connectAll(clients, clients, () => connectClient(server.url));
  if (failed) {
    closeAll(sockets);
    throw new Error(`${failed} client(s) failed to connect: ${firstError && firstError.message}`);
  }
  const onMsg = (p) => {
    const t = now();
    if (!p || p.room !== room || typeof p.sentAt !== 'string') onUnexpected();
    else onDelivery(p.seq, BigInt(p.sentAt), t);
  };
  for (const s of sockets) s.on('msg', onMsg);

  // Join the room and wait for the server's acknowledgement from every client.
  await Promise.all(sockets.map((s) => s.timeout(10_000).emitWithAck('join', room)));

  return {
    // Sends message `seq` from client `idx`; returns the send time.
    send(idx, seq) {
      const sentAt = now();
      sockets[idx].emit('msg', { room, body, sentAt: sentAt.toString(), seq });
      return sentAt;
    },
    close() {
      for (const s of sockets) s.off('msg', onMsg);
      closeAll(sockets);
    },
    extra: () => ({}),
  };
}

const socketIoTarget = {
  impl: 'socket.io',
  clientLib: 'socket.io-client',
  clientVersion: SOCKET_IO_CLIENT_VERSION,
  describe: join(HERE, 'server.js'),
  startServer: startSocketIoServer,
  openRoom: openSocketIoRoom,
  prepareIdle: async (server) => ({ connect: () => connectClient(server.url) }),
  closeIdle: closeAll,
};

// ---------------------------------------------------------------- schedule
// Fixed schedule: message i is due at start + i/rate. A timer loop wakes up,
// sends every message that is due (catching up if it woke late, so there is
// no drift), then sleeps until the next due time.
function runSchedule(total, rate, send) {
  return new Promise((resolve) => {
    const start = now();
    const periodNs = 1e9 / rate;
    let i = 0;
    let maxLagNs = 0;
    const tick = () => {
      const elapsedNs = Number(now() - start);
      const due = Math.min(total, Math.floor(elapsedNs / periodNs) + 1);
      while (i < due) {
        const lag = Number(now() - start) - i * periodNs;
        if (lag > maxLagNs) maxLagNs = lag;
        send(i);
        i++;
      }
      if (i >= total) {
        resolve({ start, maxLagNs });
        return;
      }
      const waitMs = (i * periodNs - Number(now() - start)) / 1e6;
      setTimeout(tick, Math.max(0, Math.floor(waitMs)));
    };
    tick();
  });
}

// ---------------------------------------------------------------- message cases
// Fields every JSON line starts with.
function identity(target, server, name) {
  return {
    case: name,
    impl: target.impl,
    impl_version: server.implVersion,
    client_lib: target.clientLib,
    client_version: target.clientVersion,
    node: process.version,
  };
}

async function runMessageCase(target, name, spec, duration) {
  const hostBusy = await hostBusyPct();
  const server = await target.startServer();
  const warmupCount = Math.round(spec.rate * WARMUP_S);
  const measuredCount = Math.round(spec.rate * duration);
  const total = warmupCount + measuredCount;
  const fanout = spec.clients - 1;
  let room = null;

  try {
    log(`${name}: starting ${spec.clients} clients against ${server.url}`);

    // Receive side: one shared handler; samples only for measured messages.
    // The target calls onDelivery(seq, sentAt, t) with t read at the top of
    // its receive handler, or onUnexpected() for a malformed / wrong-room one.
    const latNs = new Float64Array(measuredCount * fanout);
    const st = {
      received: 0, // measured deliveries received (incl. stragglers)
      inRateWindow: 0, // measured deliveries received by send end + 2 s
      warmupReceived: 0,
      unexpected: 0, // malformed / wrong room
      lastDelivery: 0n,
      rateCutoff: null, // send end + RATE_DRAIN_S, set when sending ends
    };
    const onDelivery = (seq, sentAt, t) => {
      if (seq < warmupCount) {
        st.warmupReceived++;
        return;
      }
      const lat = Number(t - sentAt);
      if (st.received < latNs.length) latNs[st.received] = lat;
      st.received++;
      st.lastDelivery = t;
      if (st.rateCutoff === null || t <= st.rateCutoff) st.inRateWindow++;
    };
    const onUnexpected = () => {
      st.unexpected++;
    };
    // Connects every client and waits until each is ready to receive.
    room = await target.openRoom(server, name, spec.clients, { onDelivery, onUnexpected, bodyBytes: BODY_BYTES });

    const senderFor = spec.senders === 'first' ? () => 0 : (i) => i % spec.clients;
    let firstMeasuredSend = null;
    let lastSend = null;
    let cpuStart = null;
    const send = (i) => {
      if (i === warmupCount) {
        cpuStart = { server: procCpuMs(server.pid), self: selfCpuMs() };
      }
      const sentAt = room.send(senderFor(i), i);
      if (i === warmupCount) firstMeasuredSend = sentAt;
      lastSend = sentAt;
    };

    log(`${name}: ${WARMUP_S}s warm-up + ${duration}s at ${spec.rate} msg/s (${fanout} receiver(s) per message)`);
    const sched = await runSchedule(total, spec.rate, send);
    const sendEnd = lastSend;
    st.rateCutoff = sendEnd + BigInt(RATE_DRAIN_S * 1e9);
    // A delivery counted as in-window before rateCutoff was set is always
    // before sendEnd, so the counter stays exact.

    const expected = measuredCount * fanout;
    const stragglerDeadline = sendEnd + BigInt(STRAGGLER_WAIT_S * 1e9);
    while (st.received < expected && now() < stragglerDeadline) await sleep(5);
    const doneAt = now();
    const cpuEnd = { server: procCpuMs(server.pid), self: selfCpuMs() };
    const wallMs = nsToMs(doneAt - firstMeasuredSend);
    const serverRssKb = procStatusKb(server.pid, 'VmRSS');

    const extra = room.extra();
    room.close();
    room = null;

    const n = Math.min(st.received, latNs.length);
    const sorted = latNs.subarray(0, n).sort();
    const rateEnd = st.received === 0
      ? st.rateCutoff
      : (st.lastDelivery < st.rateCutoff ? st.lastDelivery : st.rateCutoff);
    const rateWindowS = Number(rateEnd - firstMeasuredSend) / 1e9;
    const sendWindowS = Number(sendEnd - firstMeasuredSend) / 1e9;
    const serverCpuMs = cpuEnd.server - cpuStart.server;
    const clientCpuMs = cpuEnd.self - cpuStart.self;
    const perDeliveryUs = (ms) => (st.received > 0 ? (ms * 1000) / st.received : null);

    return {
      ...identity(target, server, name),
      clients: spec.clients,
      receivers_per_message: fanout,
      rate_msgs_per_sec: spec.rate,
      duration_s: duration,
      warmup_s: WARMUP_S,
      body_bytes: BODY_BYTES,
      sent: measuredCount,
      expected_deliveries: expected,
      deliveries: st.received,
      missing: Math.max(0, expected - st.received),
      p50_ms: round2(nsToMs(percentile(sorted, 50))),
      p90_ms: round2(nsToMs(percentile(sorted, 90))),
      p99_ms: round2(nsToMs(percentile(sorted, 99))),
      max_ms: round2(nsToMs(n ? sorted[n - 1] : null)),
      deliveries_per_sec: round2(rateWindowS > 0 ? st.inRateWindow / rateWindowS : null),
      deliveries_in_rate_window: st.inRateWindow,
      rate_window_s: round2(rateWindowS),
      send_window_s: round2(sendWindowS),
      offered_deliveries_per_sec: spec.rate * fanout,
      max_send_lag_ms: round2(sched.maxLagNs / 1e6),
      warmup_deliveries: st.warmupReceived,
      unexpected_messages: st.unexpected,
      server_cpu_pct: round2((serverCpuMs / wallMs) * 100),
      client_cpu_pct: round2((clientCpuMs / wallMs) * 100),
      cpu_window_s: round2(wallMs / 1000),
      server_cpu_ms: round2(serverCpuMs),
      server_cpu_us_per_delivery: round2(perDeliveryUs(serverCpuMs)),
      client_cpu_ms: round2(clientCpuMs),
      client_cpu_us_per_delivery: round2(perDeliveryUs(clientCpuMs)),
      clk_tck: CLK_TCK,
      server_rss_kb: serverRssKb,
      ...extra,
      host_busy_pct_before: hostBusy,
      cpus: availableParallelism(),
    };
  } finally {
    if (room) room.close();
    await server.stop();
  }
}

// ---------------------------------------------------------------- idle case
async function runIdleCase(target, n) {
  const hostBusy = await hostBusyPct();
  const server = await target.startServer();
  try {
    const idle = await target.prepareIdle(server); // Missive: its users, before the baseline
    await sleep(500); // let the fresh server settle before the baseline
    const before = procStatusKb(server.pid, 'VmRSS');
    const cpuStart = { server: procCpuMs(server.pid), self: selfCpuMs() };
    log(`idle10k: opening ${n} idle connections to ${server.url} (${CONNECT_CONCURRENCY} in flight)`);
    const start = now();
    let lastConnect = start;
    const { sockets, failed, firstError } = await connectAll(n, CONNECT_CONCURRENCY, idle.connect, (ok) => {
      if (ok) lastConnect = now();
    });
    const connectS = Number(lastConnect - start) / 1e9;
    const cpuEnd = { server: procCpuMs(server.pid), self: selfCpuMs() };
    const connectWallMs = nsToMs(now() - start);
    if (failed) log(`idle10k: ${failed} connection(s) failed; first error: ${firstError && firstError.message}`);
    log(`idle10k: ${sockets.length} connected in ${connectS.toFixed(2)} s; settling ${IDLE_SETTLE_S} s`);
    await sleep(IDLE_SETTLE_S * 1000);
    const after = procStatusKb(server.pid, 'VmRSS');
    target.closeIdle(sockets);
    await sleep(500);
    const serverCpuMs = cpuEnd.server - cpuStart.server;
    const clientCpuMs = cpuEnd.self - cpuStart.self;
    return {
      ...identity(target, server, 'idle10k'),
      connections: n,
      connected: sockets.length,
      failed,
      connect_concurrency: CONNECT_CONCURRENCY,
      connect_time_s: round2(connectS),
      connects_per_sec: round2(connectS > 0 ? sockets.length / connectS : null),
      server_rss_before_kb: before,
      server_rss_after_kb: after,
      kb_per_connection: round2((after - before) / n),
      server_cpu_pct: round2((serverCpuMs / connectWallMs) * 100),
      client_cpu_pct: round2((clientCpuMs / connectWallMs) * 100),
      server_cpu_ms: round2(serverCpuMs),
      server_cpu_us_per_connection: round2(sockets.length > 0 ? (serverCpuMs * 1000) / sockets.length : null),
      client_cpu_ms: round2(clientCpuMs),
      clk_tck: CLK_TCK,
      host_busy_pct_before: hostBusy,
      cpus: availableParallelism(),
    };
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------- table
const IMPL_NAMES = { 'socket.io': 'Socket.IO', missive: 'Missive (missive-local)' };

function printTable(results) {
  const fmt = (x) => (x === null || x === undefined ? '-' : String(x));
  const f2 = (x) => (x === null || x === undefined ? '-' : Number(x).toFixed(2));
  const msgRows = results.filter((r) => r.p50_ms !== undefined);
  const idleRows = results.filter((r) => r.case === 'idle10k');
  // Lines saved before `impl` could be missive are all socket.io.
  const implOf = (r) => r.impl || 'socket.io';
  const impls = [...new Set(results.map(implOf))];
  // An `impl` column only when the rows mix targets (e.g. --table over both).
  const lead = (r) => (impls.length > 1 ? [r.case, implOf(r)] : [r.case]);
  const leadHeader = impls.length > 1 ? ['case', 'impl'] : ['case'];
  const lines = [];
  const table = (header, rows) => {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells) => '| ' + cells.map((c, i) => (i < leadHeader.length ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
    lines.push(line(header));
    lines.push('|' + widths.map((w, i) => (i < leadHeader.length ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|');
    for (const r of rows) lines.push(line(r));
  };
  lines.push('');
  for (const impl of impls) {
    const rows = results.filter((r) => implOf(r) === impl);
    const r0 = rows[0] || {};
    lines.push(`${IMPL_NAMES[impl] || impl} ${fmt(r0.impl_version)} (client ${r0.client_lib || 'socket.io-client'} ${r0.client_version}), ` +
      `node ${r0.node || process.version}, ${r0.cpus || availableParallelism()} CPUs, ` +
      'machine CPU busy % in the 1 s before each case: ' +
      rows.map((r) => `${r.case} ${f2(r.host_busy_pct_before)}`).join(', '));
  }
  if (msgRows.length) {
    lines.push('');
    table(
      [...leadHeader, 'msg/s', 'sent', 'expected', 'delivered', 'missing', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'deliveries/s',
        'srv cpu%', 'cli cpu%', 'srv cpu ms', 'srv us/dlv', 'cli us/dlv'],
      msgRows.map((r) => [...lead(r), fmt(r.rate_msgs_per_sec), fmt(r.sent), fmt(r.expected_deliveries), fmt(r.deliveries), fmt(r.missing),
        f2(r.p50_ms), f2(r.p90_ms), f2(r.p99_ms), f2(r.max_ms), f2(r.deliveries_per_sec), f2(r.server_cpu_pct), f2(r.client_cpu_pct),
        f2(r.server_cpu_ms), f2(r.server_cpu_us_per_delivery), f2(r.client_cpu_us_per_delivery)]),
    );
  }
  if (idleRows.length) {
    lines.push('');
    table(
      [...leadHeader, 'connections', 'connected', 'failed', 'connect s', 'connects/s', 'RSS before KB', 'RSS after KB', 'KB/conn',
        'srv cpu%', 'cli cpu%', 'srv us/conn'],
      idleRows.map((r) => [...lead(r), fmt(r.connections), fmt(r.connected), fmt(r.failed), f2(r.connect_time_s), f2(r.connects_per_sec),
        fmt(r.server_rss_before_kb), fmt(r.server_rss_after_kb), f2(r.kb_per_connection), f2(r.server_cpu_pct), f2(r.client_cpu_pct),
        f2(r.server_cpu_us_per_connection)]),
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
}

// ---------------------------------------------------------------- main
async function main() {
  const opts = parseOptions();
  if (opts.table) {
    // Reprint the table from saved JSON lines (e.g. `node load.js > results.jsonl`).
    const rows = readFileSync(opts.table, 'utf8').split('\n')
      .filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    printTable(rows);
    return;
  }

  if (opts.cases.includes('idle10k')) {
    // The load process holds N client sockets and the server (which inherits
    // this limit) holds N more, each in its own process.
    const { soft, hard } = openFileLimits();
    const need = opts.idle + FD_MARGIN;
    if (soft < need) {
      die(
        `the open-file limit (ulimit -n = ${soft}, hard limit ${hard}) is too low for --idle ${opts.idle}: ` +
          `need at least ${need}. Run with a higher limit, e.g.\n` +
          `  bash -c 'ulimit -n ${Math.max(need, Math.min(65536, hard))} && node load.js'\n` +
          (hard < need ? `(the hard limit ${hard} is below ${need} too: it has to be raised by root / the container first)\n` : '') +
          `or pass a smaller --idle, or leave idle10k out of --cases.`,
      );
    }
  }

  let target = socketIoTarget;
  if (opts.target === 'missive') {
    const problem = checkBinary(opts.missiveBin);
    if (problem) die(problem);
    target = missiveTarget(opts.missiveBin);
  }

  log(`target ${target.impl} (${target.describe}), client ${target.clientLib} ${target.clientVersion}, node ${process.version}, ` +
    `cases ${opts.cases.join(',')}, duration ${opts.duration}s, idle ${opts.idle}`);
  const results = [];
  for (const name of opts.cases) {
    const r = name === 'idle10k'
      ? await runIdleCase(target, opts.idle)
      : await runMessageCase(target, name, MESSAGE_CASES[name], opts.duration);
    process.stdout.write(JSON.stringify(r) + '\n');
    results.push(r);
  }
  printTable(results);
  // Clients are closed; exit explicitly so no stray timer keeps us alive.
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`load.js: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
