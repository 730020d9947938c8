// The status page: /v1/health made readable — operational, the version, the storage — and
// accessible, as every screen of the demo (the other tests audit the others where they are).

import { test } from 'node:test';
import { expectAccessible } from './support/accessibility.js';
import { expectText, startDemo } from './support/demo.js';

test('the status page says the service is operational, and passes the accessibility audit', async (t) => {
  const demo = await startDemo(t);
  const page = await demo.open('#/status');
  await page.getByRole('heading', { name: 'État du service', level: 1 }).waitFor();
  await expectText(page.getByRole('status'), 'Opérationnel');
  await page.getByRole('definition').filter({ hasText: /^OK$/ }).waitFor();
  await expectAccessible(page, 'the status page');

  // Reached from the home page too.
  const home = await demo.open();
  await home.getByRole('link', { name: /État du service/ }).click();
  await expectText(home.getByRole('status'), 'Opérationnel');

  demo.assertNoPageErrors();
});
