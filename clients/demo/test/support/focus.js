// Where the keyboard's focus is, as a person using Tab would find it: inside a dialog while it
// is open, cycling within it both ways, and back on what opened it once it is closed. Each
// waits on the page (focus moves after a render) rather than sleeping.

import { eventually } from './demo.js';

/** What has focus, for a failure's message. */
function describeFocus(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'nothing (the page itself)';
    const name = el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 40) ?? '';
    return `<${el.tagName.toLowerCase()}> "${name}"`;
  });
}

/** Waits until focus is on an element inside `container`. */
export async function expectFocusWithin(container, what) {
  await eventually(() => container.evaluate((el) => el.contains(document.activeElement) && el !== document.activeElement), {
    what: `focus inside ${what}`,
  });
}

/** Waits until focus is on `target` itself. */
export async function expectFocusOn(target, what) {
  await eventually(() => target.evaluate((el) => el === document.activeElement), { what: `focus on ${what}` });
}

/**
 * Presses Tab, then Shift+Tab, from where focus is inside `dialog` until it comes back there,
 * failing if it ever leaves the dialog or never comes back. Returns how many stops a round has.
 */
export async function expectFocusCycles(page, dialog, what) {
  const rounds = [];
  for (const key of ['Tab', 'Shift+Tab']) {
    const start = await page.evaluateHandle(() => document.activeElement);
    let stops = 0;
    for (let back = false; !back; ) {
      if (stops === 50) throw new Error(`${what}: ${key} never came back to where it started`);
      await page.keyboard.press(key);
      stops += 1;
      if (!(await dialog.evaluate((el) => el.contains(document.activeElement))))
        throw new Error(`${what}: ${key} took focus out of it, to ${await describeFocus(page)}`);
      back = await page.evaluate((el) => document.activeElement === el, start);
    }
    await start.dispose();
    rounds.push(stops);
  }
  if (rounds[0] !== rounds[1]) throw new Error(`${what}: Tab went round ${rounds[0]} stops, Shift+Tab ${rounds[1]}`);
  return rounds[0];
}
