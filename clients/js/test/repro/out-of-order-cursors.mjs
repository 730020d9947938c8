// Shows that live events can arrive with a cursor lower than one already received: a cursor
// (a ULID) is taken when a publish starts, and concurrent publishes finish in either order.
// A client that drops "a cursor ≤ the highest processed" (the rule docs/protocol.md implies)
// would lose every such event, and a sync from its highest cursor would never bring it back.
//
//   npm run build && node test/repro/out-of-order-cursors.mjs
//
// Eight connections of Alice send into one group at once; Bob counts the inversions.

import WebSocket from 'ws';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cursorTime } from '../../dist/ulid.js';
import { createTenant, rest, startServer, token } from '../support/server.js';

const dataDir = mkdtempSync(join(tmpdir(), 'missive-order-'));
const server = await startServer({ dataDir, env: { MISSIVE_MAX_FRAMES_PER_10S: '1000000' } });
await createTenant(server);
await rest(server, 'bob').me();
const { value: group } = await rest(server, 'alice').createConversation({ kind: 'group', title: 'race', memberIds: ['bob'] });

const open = (user) =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.wsUrl}?token=${token({ sub: user })}`);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });

const senders = await Promise.all(Array.from({ length: 8 }, () => open('alice')));
const bob = await open('bob');
const cursors = [];
bob.on('message', (data) => {
  const frame = JSON.parse(data);
  if (frame.type === 'message.new' && frame.conversationId === group.id) cursors.push(frame.cursor);
});
const perSender = 40;
const total = perSender * senders.length;
for (let round = 0; round < perSender; round++) {
  senders.forEach((ws, i) =>
    ws.send(JSON.stringify({ action: 'sendMessage', conversationId: group.id, body: `s${i} m${round}` })),
  );
}
const deadline = Date.now() + 30_000;
while (cursors.length < total && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));

let highest = '';
let wouldDrop = 0;
let maxLagMs = 0;
for (const cursor of cursors) {
  if (cursor < highest) {
    wouldDrop += 1;
    maxLagMs = Math.max(maxLagMs, cursorTime(highest) - cursorTime(cursor));
  } else {
    highest = cursor;
  }
}
for (const ws of [...senders, bob]) ws.close();
await server.kill();
rmSync(dataDir, { recursive: true, force: true });
console.log(
  `${cursors.length}/${total} received live; ${wouldDrop} arrived after a higher cursor ` +
    `(a "drop ≤ highest" client loses them), by up to ${maxLagMs} ms`,
);
