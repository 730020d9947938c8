// The packages as an app gets them: `npm pack` of @missive/client and @missive/react, both
// tarballs installed into a new project (with React, ws and TypeScript from the registry, or
// npm's cache), a TypeScript file importing `@missive/client`, `@missive/client/admin` and
// `@missive/react` type-checked under the two resolutions that read `exports` (NodeNext and
// Bundler), then a Node script run against the local runtime: a tenant and users made through
// the admin entry, two clients connected, a message sent and received, the bindings rendered
// around the client, the internals out of reach. Everything lives in one temporary directory,
// removed at the end; the server is started as the client's integration tests start it.
//
//   MISSIVE_LOCAL_BIN=target/debug/missive-local node clients/scripts/pack-test.mjs

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnLocal } from '../js/test/support/spawn-local.js';

const clients = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const binary = process.env.MISSIVE_LOCAL_BIN || '/tmp/missive-local-bin';
const npmCommand = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const started = Date.now();
const JWT_SECRET = 'missive-pack-test-secret-0123456789';
const PLATFORM_KEY = 'missive-pack-test-platform-key';
// The versions the packages are developed against (their package.json files).
const devDependencies = {
  ...JSON.parse(readFileSync(join(clients, 'js', 'package.json'), 'utf8')).devDependencies,
  ...JSON.parse(readFileSync(join(clients, 'react', 'package.json'), 'utf8')).devDependencies,
};
const wanted = ['react', 'react-dom', '@types/react', 'typescript', 'ws'].map(
  (name) => `${name}@${devDependencies[name]}`,
);

const work = mkdtempSync(join(tmpdir(), 'missive-pack-test-'));
let server = null;
const cleanUp = () => {
  if (server && server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
};
// A bound on the whole run: a hung step fails the test instead of holding the suite.
const watchdog = setTimeout(() => {
  console.error('pack test: still running after 120 s, given up');
  cleanUp();
  process.exit(1);
}, 120_000);
watchdog.unref();
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    cleanUp();
    process.exit(130);
  });
}

function step(what) {
  console.log(`pack test: ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

function run(command, args, cwd, env = {}) {
  const stdio = ['ignore', 'inherit', 'inherit'];
  execFileSync(command, args, { cwd, stdio, env: { ...process.env, ...env }, timeout: 90_000 });
}

async function main() {
  try {
    // ---- npm pack (its prepack builds each package) -----------------------------------------
    const tarballs = join(work, 'tarballs');
    mkdirSync(tarballs);
    for (const pkg of ['js', 'react']) {
      step(`npm pack clients/${pkg}`);
      run(npmCommand, ['pack', '--silent', '--pack-destination', tarballs], join(clients, pkg));
    }
    const tgz = readdirSync(tarballs).sort();
    const client = join(tarballs, tgz.find((name) => name.startsWith('missive-client-')));
    const react = join(tarballs, tgz.find((name) => name.startsWith('missive-react-')));
    // What each tarball must hold, and what stays in the repository.
    const shipped = ['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts'];
    const unshipped = ['test/', 'node_modules/', 'api-report.md', 'size-budget.json', 'tsconfig.json'];
    for (const [tarball, must] of [
      [client, [...shipped, 'dist/admin.js', 'dist/admin.d.ts']],
      [react, shipped],
    ]) {
      const listed = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
        .split('\n')
        .map((line) => line.replace(/^package\//, ''));
      const missing = must.filter((file) => !listed.includes(file));
      const extra = listed.filter((file) => unshipped.some((prefix) => file.startsWith(prefix)));
      if (missing.length || extra.length)
        throw new Error(`${tarball}: missing [${missing.join(', ')}], should not hold [${extra.join(', ')}]`);
    }

    // ---- A new project that installs them -----------------------------------------------------
    const app = join(work, 'app');
    mkdirSync(app);
    const manifest = { name: 'missive-pack-test-app', private: true, type: 'module' };
    writeFileSync(join(app, 'package.json'), JSON.stringify(manifest));
    step(`npm install the two tarballs, ${wanted.join(', ')}`);
    const quiet = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];
    run(npmCommand, ['install', ...quiet, client, react, ...wanted], app);
    // A client module for React Server Components: the directive opens the installed entry.
    const entry = join(app, 'node_modules', '@missive', 'react', 'dist', 'index.js');
    const first = readFileSync(entry, 'utf8').split('\n')[0];
    if (first !== "'use client';") throw new Error(`@missive/react's dist/index.js opens with ${first}`);

    writeFileSync(join(app, 'consumer.tsx'), CONSUMER_TSX);
    for (const [name, moduleKind, resolution] of [
      ['nodenext', 'NodeNext', 'NodeNext'],
      ['bundler', 'ESNext', 'Bundler'],
    ]) {
      writeFileSync(
        join(app, `tsconfig.${name}.json`),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022',
            module: moduleKind,
            moduleResolution: resolution,
            lib: ['ES2022', 'DOM'],
            jsx: 'react-jsx',
            types: [],
            strict: true,
            noEmit: true,
            // The packages' own .d.ts are checked too, as a strict consumer compiles them.
            skipLibCheck: false,
          },
          files: ['consumer.tsx'],
        }),
      );
      step(`tsc: consumer.tsx type-checks with moduleResolution ${resolution}`);
      run(join(app, 'node_modules', '.bin', 'tsc'), ['-p', `tsconfig.${name}.json`], app);
    }

    // ---- Against the local runtime --------------------------------------------------------------
    step(`starting ${binary}`);
    const dataDir = join(work, 'data');
    mkdirSync(dataDir);
    server = await spawnLocal({
      binary,
      args: ['--data-dir', dataDir, '--port', '0', '--no-demo'],
      env: { MISSIVE_JWT_SECRET: JWT_SECRET, MISSIVE_PLATFORM_KEY: PLATFORM_KEY },
    });
    writeFileSync(join(app, 'run.mjs'), RUN_MJS);
    step(`node run.mjs against ${server.base}`);
    run(process.execPath, ['run.mjs'], app, {
      MISSIVE_BASE: server.base,
      MISSIVE_JWT_SECRET: JWT_SECRET,
      MISSIVE_PLATFORM_KEY: PLATFORM_KEY,
    });
    step('passed');
  } catch (error) {
    console.error(`pack test failed: ${error.message}`);
    process.exitCode = 1;
  } finally {
    cleanUp();
    clearTimeout(watchdog);
  }
}

// ---- The files of the new project ------------------------------------------------------------

// Type-checked only: each entry's main names, used as an app would.
const CONSUMER_TSX = `
import { MissiveClient, MissiveRest, isMissiveError, type Message, type MissiveClientOptions } from '@missive/client';
import { MissiveAdmin } from '@missive/client/admin';
import { MissiveProvider, useConversation, useMissive, useMissiveEvent, type MissiveEventName } from '@missive/react';

const options: MissiveClientOptions = { url: 'ws://127.0.0.1:3000/ws', getToken: () => 'token' };
export const client = new MissiveClient(options);
export const rest = new MissiveRest({ baseUrl: 'http://127.0.0.1:3000', getToken: async () => 'token' });
export const admin = new MissiveAdmin({ baseUrl: 'http://127.0.0.1:3000', getToken: () => 'platform key' });

export async function operator(): Promise<number> {
  await admin.createTenant({ id: 'acme', name: 'Acme' });
  const { created } = await admin.putUser('ada', { tenantId: 'acme', name: 'Ada', role: 'admin' });
  const queues = await admin.getQueues();
  return created ? queues.length : 0;
}

export async function send(conversationId: string): Promise<Message | null> {
  try {
    return await client.send(conversationId, 'Bonjour !');
  } catch (e) {
    if (isMissiveError(e) && e.code === 'timeout') return null;
    throw e;
  }
}

// @ts-expect-error the operator's routes are not on the app's REST client
rest.createTenant({ id: 'acme', name: 'Acme' });

const heard = 'message.new' satisfies MissiveEventName;

function Chat({ id }: { id: string }) {
  const { state, userId } = useMissive();
  const { messages } = useConversation(id);
  useMissiveEvent(heard, ({ message }, { late }) => console.log(message.body, late));
  return <p>{state} {userId} {messages.length}</p>;
}

export function App() {
  return (
    <MissiveProvider client={client} rest={rest}>
      <Chat id="c1" />
    </MissiveProvider>
  );
}
`;

// Run by Node in the new project: the published JavaScript against the local runtime.
const RUN_MJS = `
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { MissiveClient, MissiveRest, isMissiveError } from '@missive/client';
import { MissiveAdmin } from '@missive/client/admin';
import { MissiveProvider, useMissive } from '@missive/react';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import WebSocket from 'ws';

const { MISSIVE_BASE: base, MISSIVE_JWT_SECRET: secret, MISSIVE_PLATFORM_KEY: platformKey } = process.env;
const wsUrl = base.replace(/^http/, 'ws') + '/ws';

function token(sub) {
  const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const head = b64({ alg: 'HS256', typ: 'JWT' });
  const body = b64({ sub, tid: 'pack', role: 'member', name: sub, exp: Math.floor(Date.now() / 1000) + 600 });
  return head + '.' + body + '.' + createHmac('sha256', secret).update(head + '.' + body).digest('base64url');
}

const admin = new MissiveAdmin({ baseUrl: base, getToken: () => platformKey });
await admin.createTenant({ id: 'pack', name: 'Pack test', locale: 'en' });
for (const id of ['alice', 'bob']) await admin.putUser(id, { tenantId: 'pack', name: id, role: 'member' });

const aliceRest = new MissiveRest({ baseUrl: base, getToken: () => token('alice') });
const { value: conversation } = await aliceRest.createConversation({ kind: 'direct', userId: 'bob' });

const options = (user) => ({ url: wsUrl, getToken: () => token(user), WebSocket, settleSyncMs: 0 });
const alice = new MissiveClient(options('alice'));
const bob = new MissiveClient(options('bob'));
const received = new Promise((resolve) => bob.on('message.new', ({ message }) => resolve(message)));
await Promise.all([alice.connect(), bob.connect()]);
const sent = await alice.send(conversation.id, 'Bonjour depuis le tarball');
let timer;
const got = await Promise.race([
  received,
  new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('bob received nothing within 10 s')), 10_000))),
]);
clearTimeout(timer);
assert.deepEqual([got.id, got.body, got.senderId], [sent.id, 'Bonjour depuis le tarball', 'alice']);

// The bindings take the app's client (one copy of @missive/client: the peer dependency).
function Who() {
  const { state, userId } = useMissive();
  return createElement('p', null, userId + ' ' + state);
}
const html = renderToStaticMarkup(
  createElement(
    MissiveProvider,
    { client: alice, rest: aliceRest, userId: 'alice', connect: false },
    createElement(Who),
  ),
);
assert.equal(html, '<p>alice connected</p>');

// What is not public stays out of reach.
assert.equal(typeof MissiveRest.prototype.createTenant, 'undefined', 'operator routes only in the admin entry');
await assert.rejects(import('@missive/client/dist/resume.js'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
const bad = await new MissiveRest({ baseUrl: base, getToken: () => 'nope' }).me().catch((e) => e);
assert.ok(isMissiveError(bad) && bad.code === 'unauthorized');

// ES modules only; Node's require() of ES modules (20.19+, 22.12+) loads the same module.
if (process.features.require_module) {
  assert.equal(createRequire(import.meta.url)('@missive/client').MissiveClient, MissiveClient);
}

alice.close();
bob.close();
console.log('run.mjs: tenant and users made, alice → bob delivered (' + got.id + '), the bindings rendered ' + html);
`;

await main();
