// Waiting for what happens elsewhere (a server, a browser, a bot) without racing it: poll until
// it holds, within a generous deadline, never a fixed sleep.

/**
 * Polls `check` (sync or async) until it returns a truthy value, which is returned; an error
 * it throws counts as "not yet". After `timeoutMs` fails with `what` and the last answer.
 */
export async function eventually(check, { what = 'a condition', timeoutMs = 30_000, everyMs = 50 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${last?.message ?? last})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
