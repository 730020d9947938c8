import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBuffer, ResumeTracker } from '../../dist/resume.js';
import { cursorAt, cursorTime } from '../../dist/ulid.js';
import { cursor } from '../support/frames.js';

const T = Date.UTC(2026, 10, 26, 10, 0, 0);

test('cursor times read back what cursorAt wrote, and order follows time', () => {
  assert.equal(cursorTime(cursorAt(T)), T);
  assert.equal(cursorTime('01ARZ3NDEKTSV4RRFFQ69G5FAV'), 1469922850259, 'the ULID specification example');
  assert.ok(cursorAt(T) < cursorAt(T + 1));
  assert.ok(cursorAt(T) < cursor(T, 0, 1), 'the lowest cursor of a millisecond');
  assert.equal(cursorTime('not a cursor'), undefined);
});

test('each cursor is delivered once; repeats are dropped', () => {
  const tracker = new ResumeTracker();
  const a = cursor(T, 0);
  const b = cursor(T, 5);
  assert.deepEqual(tracker.admit(a), { deliver: true, late: false });
  assert.deepEqual(tracker.admit(b), { deliver: true, late: false });
  assert.deepEqual(tracker.admit(a), { deliver: false, late: false });
  assert.deepEqual(tracker.admit(b), { deliver: false, late: false });
  assert.equal(tracker.highest, b);
});

test('a cursor lower than the highest but inside the window is delivered, flagged late', () => {
  const tracker = new ResumeTracker({ reorderWindowMs: 1000 });
  tracker.admit(cursor(T, 100));
  assert.deepEqual(tracker.admit(cursor(T, 40)), { deliver: true, late: true });
  assert.equal(tracker.highest, cursor(T, 100), 'a late event does not lower the highest');
  assert.deepEqual(tracker.admit(cursor(T, 40)), { deliver: false, late: false }, 'and it is a repeat afterwards');
});

test('cursors that fall out of the window raise the floor; older events are taken as processed', () => {
  const tracker = new ResumeTracker({ reorderWindowMs: 1000 });
  const old = cursor(T, 0);
  const mid = cursor(T, 500);
  tracker.admit(old);
  tracker.admit(mid);
  assert.equal(tracker.resumeFrom, null, 'nothing out of the window yet');
  tracker.admit(cursor(T, 1200));
  assert.equal(tracker.resumeFrom, old, 'the newest cursor out of the window is the floor');
  assert.deepEqual(tracker.admit(old), { deliver: false, late: false }, 'at or below the floor: processed');
  // Above the floor and unseen: never delivered (every delivered cursor above the floor is
  // remembered), so delivering it cannot repeat it, even though it lagged more than the window.
  assert.deepEqual(tracker.admit(cursor(T, 100)), { deliver: true, late: true });
  assert.deepEqual(tracker.admit(cursor(T, 300)), { deliver: true, late: true });
  tracker.admit(cursor(T, 5000));
  assert.equal(tracker.resumeFrom, cursor(T, 1200));
});

test('the resume point starts at `since`, and everything after it is delivered', () => {
  const since = cursor(T, 1000);
  const tracker = new ResumeTracker({ since });
  assert.equal(tracker.resumeFrom, since);
  assert.equal(tracker.highest, since);
  assert.equal(tracker.admit(since).deliver, false);
  assert.equal(tracker.admit(cursor(T, 999)).deliver, false);
  assert.deepEqual(tracker.admit(cursor(T, 1001)), { deliver: true, late: false });
});

test('startAt only sets a missing starting point; reset starts over', () => {
  const tracker = new ResumeTracker();
  tracker.startAt(cursorAt(T));
  tracker.startAt(cursorAt(T + 99));
  assert.equal(tracker.resumeFrom, cursorAt(T));
  tracker.admit(cursor(T, 10_000));
  tracker.reset(cursorAt(T + 60_000));
  assert.equal(tracker.resumeFrom, cursorAt(T + 60_000));
  assert.equal(tracker.highest, null);
  assert.equal(tracker.admit(cursor(T, 60_001)).deliver, true);
});

test('a starting point made from the client clock never drops an event, and moves back to the server time', () => {
  // The client's clock is a minute ahead of the server's: its starting point is in the
  // server's future, and the server's events all sort before it.
  const tracker = new ResumeTracker({ reorderWindowMs: 10_000 });
  tracker.startAt(cursorAt(T + 60_000 - 10_000));
  assert.deepEqual(tracker.admit(cursor(T, 0)), { deliver: true, late: false });
  assert.deepEqual(tracker.admit(cursor(T, 0)), { deliver: false, late: false }, 'repeats are still dropped');
  assert.equal(tracker.resumeFrom, cursorAt(T - 10_000), 'the window before the first event, in server time');
  tracker.admit(cursor(T, 25_000));
  assert.equal(tracker.resumeFrom, cursor(T, 0), 'then a cursor the server gave, as usual');
  assert.equal(tracker.admit(cursor(T, 0)).deliver, false);
});

test('at most maxRemembered cursors are kept, the oldest going below the floor', () => {
  const tracker = new ResumeTracker({ reorderWindowMs: 1_000_000, maxRemembered: 3 });
  for (let i = 0; i < 5; i++) tracker.admit(cursor(T, i));
  assert.equal(tracker.resumeFrom, cursor(T, 1));
  assert.equal(tracker.admit(cursor(T, 1)).deliver, false);
  assert.equal(tracker.admit(cursor(T, 2)).deliver, false, 'still remembered');
});

test('held events come out in cursor order, up to a page cursor, then all', () => {
  const buffer = new EventBuffer();
  for (const ms of [30, 10, 50, 20, 40]) buffer.add({ cursor: cursor(T, ms), ms });
  assert.deepEqual(
    buffer.take(cursor(T, 30)).map((e) => e.ms),
    [10, 20, 30],
  );
  assert.equal(buffer.size, 2);
  assert.deepEqual(
    buffer.take().map((e) => e.ms),
    [40, 50],
  );
  assert.equal(buffer.size, 0);
});
