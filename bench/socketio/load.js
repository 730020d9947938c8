// Load client for the Socket.IO comparison peer of Missive's benchmark.
//
// It starts `node server.js` itself (a fresh server process per case), waits
// for `listening on <port>`, runs the selected cases and prints one JSON
// object per case on stdout (one line each), then a human-readable table.
// Progress goes to stderr. See README.md for the exact methodology.
//
// Usage: node load.js [--cases direct,group100_100,group100_1000,idle10k]
//                     [--duration 10] [--idle 10000]
// Env equivalents: CASES, DURATION, IDLE (argv wins).

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';

const HERE = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const SOCKET_IO_VERSION = require('socket.io/package.json').version;
const SOCKET_IO_CLIENT_VERSION = require('socket.io-client/package.json').version;

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

// ---------------------------------------------------------------- options
function parseOptions() {
  const opts = {
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
      case '--cases': opts.cases = next(); break;
      case '--duration': opts.duration = next(); break;
      case '--idle': opts.idle = next(); break;
      case '--table': opts.table = next(); break;
      case '-h':
      case '--help':
        process.stdout.write(
          'usage: node load.js [--cases ' + ALL_CASES.join(',') + '] [--duration 10] [--idle 10000]\n' +
          '       node load.js --table results.jsonl   (reprint the table from saved JSON lines)\n');
        process.exit(0);
        break;
      default:
        die(`unknown argument: ${a}`);
    }
  }
  if (opts.table) return { table: opts.table };
  const cases = String(opts.cases).split(',').map((s) => s.trim()).filter(Boolean);
  for (const c of cases) if (!ALL_CASES.includes(c)) die(`unknown case: ${c} (known: ${ALL_CASES.join(', ')})`);
  const duration = Number(opts.duration);
  if (!(duration > 0)) die(`--duration must be a positive number of seconds, got ${opts.duration}`);
  const idle = Number(opts.idle);
  if (!Number.isInteger(idle) || idle < 1) die(`--idle must be a positive integer, got ${opts.idle}`);
  return { cases, duration, idle };
}

function die(msg, code = 2) {
  process.stderr.write(`load.js: ${msg}\n`);
  process.exit(code);
}

const log = (msg) => process.stderr.write(`[load] ${msg}\n`);

// ---------------------------------------------------------------- helpers
const now = () => process.hrtime.bigint();
const nsToMs = (ns) => Number(ns) / 1e6;
const round2 = (x) => (x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 100) / 100);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Soft and hard open-file limits of this process.
function openFileLimits() {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const m = limits.match(/^Max open files\s+(\S+)\s+(\S+)/m);
  const num = (v) => (v === 'unlimited' ? Infinity : Number(v));
  return m ? { soft: num(m[1]), hard: num(m[2]) } : { soft: Infinity, hard: Infinity };
}

function procStatusKb(pid, field) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = status.match(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm'));
  return m ? Number(m[1]) : null;
}

// Machine-wide CPU busy % (all cores, 100 = every core busy) over `ms`,
// from /proc/stat: shows whether something else was using the CPU.
async function hostBusyPct(ms = 1000) {
  const read = () => {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3] + (f[4] || 0); // idle + iowait
    return { idle, total: f.reduce((a, b) => a + b, 0) };
  };
  const a = read();
  await sleep(ms);
  const b = read();
  const total = b.total - a.total;
  return total > 0 ? round2((1 - (b.idle - a.idle) / total) * 100) : null;
}

// utime + stime of a process in ms (USER_HZ is 100 on Linux).
function procCpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // fields 14 and 15 of stat
}

function selfCpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

// Nearest-rank percentile of an ascending-sorted array.
function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

// ---------------------------------------------------------------- server
// Server children still running; killed if load.js exits early.
const liveServers = new Set();
process.on('exit', () => {
  for (const c of liveServers) c.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

async function startServer() {
  const child = spawn(process.execPath, [join(HERE, 'server.js')], {
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  liveServers.add(child);
  const exited = new Promise((resolve) => child.once('exit', (code, sig) => {
    liveServers.delete(child);
    resolve({ code, sig });
  }));
  const rl = createInterface({ input: child.stdout });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not print `listening on` within 10 s')), 10_000);
    rl.once('line', (line) => {
      clearTimeout(timer);
      const m = line.match(/^listening on (\d+)$/);
      if (m) resolve(Number(m[1]));
      else reject(new Error(`unexpected first line from server: ${line}`));
    });
    exited.then(({ code, sig }) => reject(new Error(`server exited early (code ${code}, signal ${sig})`)));
  });
  rl.on('line', (line) => process.stderr.write(`[server] ${line}\n`));
  return {
    pid: child.pid,
    url: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
    child,
  };
}

// ---------------------------------------------------------------- clients
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

async function connectAll(url, n, concurrency, onResult) {
  const sockets = new Array(n);
  let nextIdx = 0;
  let failed = 0;
  let firstError = null;
  async function worker() {
    while (nextIdx < n) {
      const idx = nextIdx++;
      try {
        sockets[idx] = await connectClient(url);
        if (onResult) onResult(true);
      } catch (err) {
        failed++;
        if (!firstError) firstError = err;
        if (onResult) onResult(false);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return { sockets: sockets.filter(Boolean), failed, firstError };
}

function closeAll(sockets) {
  for (const s of sockets) s.disconnect();
}

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
async function runMessageCase(name, spec, duration) {
  const hostBusy = await hostBusyPct();
  const server = await startServer();
  const room = `bench-${name}`;
  const body = 'x'.repeat(BODY_BYTES);
  const warmupCount = Math.round(spec.rate * WARMUP_S);
  const measuredCount = Math.round(spec.rate * duration);
  const total = warmupCount + measuredCount;
  const fanout = spec.clients - 1;

  try {
    log(`${name}: starting ${spec.clients} clients against ${server.url}`);
    const { sockets, failed, firstError } = await connectAll(server.url, spec.clients, spec.clients);
    if (failed) throw new Error(`${failed} client(s) failed to connect: ${firstError && firstError.message}`);

    // Receive side: one shared handler; samples only for measured messages.
    const latNs = new Float64Array(measuredCount * fanout);
    const st = {
      received: 0, // measured deliveries received (incl. stragglers)
      inRateWindow: 0, // measured deliveries received by send end + 2 s
      warmupReceived: 0,
      unexpected: 0, // malformed / wrong room
      lastDelivery: 0n,
      rateCutoff: null, // send end + RATE_DRAIN_S, set when sending ends
    };
    const onMsg = (p) => {
      const t = now();
      if (!p || p.room !== room || typeof p.sentAt !== 'string') {
        st.unexpected++;
        return;
      }
      if (p.seq < warmupCount) {
        st.warmupReceived++;
        return;
      }
      const lat = Number(t - BigInt(p.sentAt));
      if (st.received < latNs.length) latNs[st.received] = lat;
      st.received++;
      st.lastDelivery = t;
      if (st.rateCutoff === null || t <= st.rateCutoff) st.inRateWindow++;
    };
    for (const s of sockets) s.on('msg', onMsg);

    // Join the room and wait for the server's acknowledgement from every client.
    await Promise.all(sockets.map((s) => s.timeout(10_000).emitWithAck('join', room)));

    const senderFor = spec.senders === 'first' ? () => sockets[0] : (i) => sockets[i % sockets.length];
    let firstMeasuredSend = null;
    let lastSend = null;
    let cpuStart = null;
    const send = (i) => {
      const sock = senderFor(i);
      if (i === warmupCount) {
        cpuStart = { server: procCpuMs(server.pid), self: selfCpuMs() };
      }
      const sentAt = now();
      sock.emit('msg', { room, body, sentAt: sentAt.toString(), seq: i });
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

    for (const s of sockets) s.off('msg', onMsg);
    closeAll(sockets);

    const n = Math.min(st.received, latNs.length);
    const sorted = latNs.subarray(0, n).sort();
    const rateEnd = st.received === 0
      ? st.rateCutoff
      : (st.lastDelivery < st.rateCutoff ? st.lastDelivery : st.rateCutoff);
    const rateWindowS = Number(rateEnd - firstMeasuredSend) / 1e9;
    const sendWindowS = Number(sendEnd - firstMeasuredSend) / 1e9;

    return {
      case: name,
      impl: 'socket.io',
      impl_version: SOCKET_IO_VERSION,
      client_version: SOCKET_IO_CLIENT_VERSION,
      node: process.version,
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
      server_cpu_pct: round2(((cpuEnd.server - cpuStart.server) / wallMs) * 100),
      client_cpu_pct: round2(((cpuEnd.self - cpuStart.self) / wallMs) * 100),
      server_rss_kb: serverRssKb,
      host_busy_pct_before: hostBusy,
      cpus: availableParallelism(),
    };
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------- idle case
async function runIdleCase(n) {
  const hostBusy = await hostBusyPct();
  const server = await startServer();
  try {
    await sleep(500); // let the fresh server settle before the baseline
    const before = procStatusKb(server.pid, 'VmRSS');
    const cpuStart = { server: procCpuMs(server.pid), self: selfCpuMs() };
    log(`idle10k: opening ${n} idle connections to ${server.url} (${CONNECT_CONCURRENCY} in flight)`);
    const start = now();
    let lastConnect = start;
    const { sockets, failed, firstError } = await connectAll(server.url, n, CONNECT_CONCURRENCY, (ok) => {
      if (ok) lastConnect = now();
    });
    const connectS = Number(lastConnect - start) / 1e9;
    const cpuEnd = { server: procCpuMs(server.pid), self: selfCpuMs() };
    const connectWallMs = nsToMs(now() - start);
    if (failed) log(`idle10k: ${failed} connection(s) failed; first error: ${firstError && firstError.message}`);
    log(`idle10k: ${sockets.length} connected in ${connectS.toFixed(2)} s; settling ${IDLE_SETTLE_S} s`);
    await sleep(IDLE_SETTLE_S * 1000);
    const after = procStatusKb(server.pid, 'VmRSS');
    closeAll(sockets);
    await sleep(500);
    return {
      case: 'idle10k',
      impl: 'socket.io',
      impl_version: SOCKET_IO_VERSION,
      client_version: SOCKET_IO_CLIENT_VERSION,
      node: process.version,
      connections: n,
      connected: sockets.length,
      failed,
      connect_concurrency: CONNECT_CONCURRENCY,
      connect_time_s: round2(connectS),
      connects_per_sec: round2(connectS > 0 ? sockets.length / connectS : null),
      server_rss_before_kb: before,
      server_rss_after_kb: after,
      kb_per_connection: round2((after - before) / n),
      server_cpu_pct: round2(((cpuEnd.server - cpuStart.server) / connectWallMs) * 100),
      client_cpu_pct: round2(((cpuEnd.self - cpuStart.self) / connectWallMs) * 100),
      host_busy_pct_before: hostBusy,
      cpus: availableParallelism(),
    };
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------- table
function printTable(results) {
  const fmt = (x) => (x === null || x === undefined ? '-' : String(x));
  const f2 = (x) => (x === null || x === undefined ? '-' : Number(x).toFixed(2));
  const msgRows = results.filter((r) => r.p50_ms !== undefined);
  const idleRows = results.filter((r) => r.case === 'idle10k');
  const lines = [];
  const table = (header, rows) => {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells) => '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
    lines.push(line(header));
    lines.push('|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|');
    for (const r of rows) lines.push(line(r));
  };
  lines.push('');
  const r0 = results[0] || {};
  lines.push(`Socket.IO ${r0.impl_version} (client ${r0.client_version}), node ${r0.node || process.version}, ` +
    `${r0.cpus || availableParallelism()} CPUs, machine CPU busy % in the 1 s before each case: ` +
    results.map((r) => `${r.case} ${f2(r.host_busy_pct_before)}`).join(', '));
  if (msgRows.length) {
    lines.push('');
    table(
      ['case', 'msg/s', 'sent', 'expected', 'delivered', 'missing', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'deliveries/s', 'srv cpu%', 'cli cpu%'],
      msgRows.map((r) => [r.case, fmt(r.rate_msgs_per_sec), fmt(r.sent), fmt(r.expected_deliveries), fmt(r.deliveries), fmt(r.missing),
        f2(r.p50_ms), f2(r.p90_ms), f2(r.p99_ms), f2(r.max_ms), f2(r.deliveries_per_sec), f2(r.server_cpu_pct), f2(r.client_cpu_pct)]),
    );
  }
  if (idleRows.length) {
    lines.push('');
    table(
      ['case', 'connections', 'connected', 'failed', 'connect s', 'connects/s', 'RSS before KB', 'RSS after KB', 'KB/conn', 'srv cpu%', 'cli cpu%'],
      idleRows.map((r) => [r.case, fmt(r.connections), fmt(r.connected), fmt(r.failed), f2(r.connect_time_s), f2(r.connects_per_sec),
        fmt(r.server_rss_before_kb), fmt(r.server_rss_after_kb), f2(r.kb_per_connection), f2(r.server_cpu_pct), f2(r.client_cpu_pct)]),
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

  log(`socket.io ${SOCKET_IO_VERSION}, node ${process.version}, cases ${opts.cases.join(',')}, duration ${opts.duration}s, idle ${opts.idle}`);
  const results = [];
  for (const name of opts.cases) {
    const r = name === 'idle10k' ? await runIdleCase(opts.idle) : await runMessageCase(name, MESSAGE_CASES[name], opts.duration);
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
