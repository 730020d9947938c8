// The accessibility audit of the browser tests: axe-core, run in the page as it stands, fails
// the test on every serious or critical violation — what a person with a screen reader, a
// keyboard or low vision would stumble on (missing names, broken roles, text too faint). Minor
// and moderate findings are left to review: they are matters of taste more than barriers.

import { createRequire } from 'node:module';

// axe-core is plain JavaScript with no module export for the browser: its source is injected
// into the page as a script, as its own documentation does for Playwright.
const { source: AXE_SOURCE } = createRequire(import.meta.url)('axe-core');

/** The impacts that fail a test. */
const BLOCKING = new Set(['serious', 'critical']);

/**
 * Runs axe-core on the whole document of `page` and fails, naming `what` (the screen), with
 * every serious or critical violation: its rule, what it asks, and the elements at fault.
 */
export async function expectAccessible(page, what) {
  // Once per document: a reload or navigation to another page needs it again.
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async () => {
    // A toast fading in is not yet its colour: contrast is measured once what moves has ended
    // (an endless animation, were there one, is not waited for).
    const ending = document.getAnimations().filter((a) => a.effect?.getComputedTiming().endTime !== Infinity);
    await Promise.all(ending.map((a) => a.finished.catch(() => {})));
    const results = await window.axe.run(document, { resultTypes: ['violations'] });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => ({ target: n.target.join(' '), why: n.failureSummary })),
    }));
  });
  const blocking = violations.filter((v) => BLOCKING.has(v.impact));
  if (blocking.length === 0) return;
  const report = blocking
    .map(
      (v) =>
        `- ${v.id} (${v.impact}): ${v.help}\n` +
        v.targets.map((n) => `    ${n.target}\n      ${n.why.replaceAll('\n', '\n      ')}`).join('\n'),
    )
    .join('\n');
  throw new Error(`${what}: ${blocking.length} serious or critical accessibility violation(s)\n${report}`);
}
