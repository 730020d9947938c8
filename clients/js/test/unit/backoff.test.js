import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffCeiling, backoffDelay, rotationDelay } from '../../dist/backoff.js';

test('the ceiling doubles from the base and stops at the maximum', () => {
  const options = { baseMs: 100, maxMs: 1000 };
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 50, 5000].map((n) => backoffCeiling(n, options)),
    [100, 200, 400, 800, 1000, 1000, 1000, 1000],
  );
  assert.equal(backoffCeiling(0), 500, 'default base');
  assert.equal(backoffCeiling(40), 30_000, 'default maximum');
});

test('full jitter: every delay lies in [0, ceiling)', () => {
  const options = { baseMs: 100, maxMs: 1000 };
  for (let attempt = 0; attempt < 12; attempt++) {
    const ceiling = backoffCeiling(attempt, options);
    assert.equal(
      backoffDelay(attempt, options, () => 0),
      0,
      'the lowest draw waits not at all',
    );
    assert.equal(
      backoffDelay(attempt, options, () => 0.999999),
      ceiling - 1,
      'the highest draw stays under the ceiling',
    );
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelay(attempt, options);
      assert.ok(delay >= 0 && delay < ceiling, `attempt ${attempt}: ${delay} within [0, ${ceiling})`);
      assert.ok(Number.isInteger(delay));
    }
  }
});

test('full jitter spreads delays over the whole range', () => {
  // With a seeded generator, the draws cover the low and the high quarter of the range.
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const delays = Array.from({ length: 400 }, () => backoffDelay(3, { baseMs: 100, maxMs: 10_000 }, random));
  assert.ok(delays.some((d) => d < 200) && delays.some((d) => d >= 600), 'both ends of [0, 800) are drawn');
});

test('rotation jitter: a delay in the last fifth before rotateAfterMs, never after it', () => {
  assert.equal(rotationDelay(100_000, () => 0), 100_000, 'the lowest draw rotates at rotateAfterMs');
  assert.equal(rotationDelay(100_000, () => 0.999999), 80_001, 'the highest draw stays inside the window');
  for (let i = 0; i < 200; i++) {
    const delay = rotationDelay(6_900_000);
    assert.ok(delay > 5_520_000 && delay <= 6_900_000, `${delay} within (80 %, 100 %] of 1 h 55`);
    assert.ok(Number.isInteger(delay));
  }
});
