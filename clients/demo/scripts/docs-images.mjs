// Copies the screenshots the documentation shows (docs/demo.md, the README) from
// target/demo-screenshots/, where `npm test` writes them, into docs/images/.

import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const from = join(repo, 'target', 'demo-screenshots');
const to = join(repo, 'docs', 'images');
const SHOWN = ['storefront', 'messenger', 'bell', 'queues'];

mkdirSync(to, { recursive: true });
for (const name of SHOWN) {
  const file = join(from, `${name}.png`);
  if (!existsSync(file)) {
    console.error(`${file} is missing: run \`npm test\` in clients/demo first`);
    process.exit(1);
  }
  copyFileSync(file, join(to, `demo-${name}.png`));
}
console.log(`copied ${SHOWN.map((n) => `demo-${n}.png`).join(', ')} into docs/images/`);
