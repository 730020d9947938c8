// Resume without loss or repeat: which events to hand to the app, and where to `sync` from.
//
// The protocol's rule is "remember the highest cursor processed, sync from it, drop any event
// at or below it". That rule loses events on a busy server: a cursor (a ULID) is taken when
// the server *starts* publishing an event, and two publishes running at once can finish — be
// stored and pushed — in the other order. Measured on the local runtime with 8 connections
// sending into one group at once, a receiver saw 15–45 % of `message.new` frames arrive
// with a cursor lower than one it had already seen, by up to ~25 ms
// (test/repro/out-of-order-cursors.mjs). Dropping those would lose them, and a `sync` from
// the highest cursor would never bring them back.
//
// So the tracker remembers every cursor delivered within a *reorder window* (default 10 s) of
// the highest one; the newest cursor that fell out of the window is the *floor*. Then:
//   - an event at or below the floor is taken as processed: dropped (the protocol's rule,
//     moved back by the window);
//   - an event in the remembered set is a repeat: dropped;
//   - any other event was never delivered (every delivered cursor above the floor is
//     remembered): it is delivered, flagged `late` when a higher cursor came before it;
//   - a resume `sync` starts from the floor rather than from the highest cursor, so an event
//     published late within the window comes back, and the repeats around it are dropped.
// The floor is a cursor the server gave (or the one the app passed in), except before the
// first events: then it is *provisional*, made from the client's clock (the first connection's
// opening time minus the window). A provisional floor is only where a sync starts: it never
// drops an event (the client's clock may be ahead of the server's), and each event admitted
// meanwhile lowers it to the window before that event, in the server's time.

import { cursorAt, cursorTime } from './ulid.js';

export interface ResumeTrackerOptions {
  /** How long (ms, in cursor time) a publish may lag behind a later one. Default 10 000. */
  reorderWindowMs?: number;
  /** At most this many cursors are remembered, whatever the window. Default 10 000. */
  maxRemembered?: number;
  /** The cursor to resume from (every event after it is delivered), e.g. one persisted earlier. */
  since?: string | null;
}

export interface Admission {
  /** Hand the event to the app. */
  deliver: boolean;
  /** Delivered after an event with a higher cursor. */
  late: boolean;
}

export class ResumeTracker {
  private readonly windowMs: number;
  private readonly maxRemembered: number;
  /** Cursors delivered within the window, ascending. */
  private readonly recent: string[] = [];
  private readonly recentSet = new Set<string>();
  private floorCursor: string | null;
  /** The floor was made from the client's clock, not from a cursor of the server's. */
  private provisional = false;
  private highestCursor: string | null;

  constructor(options: ResumeTrackerOptions = {}) {
    this.windowMs = options.reorderWindowMs ?? 10_000;
    this.maxRemembered = options.maxRemembered ?? 10_000;
    this.floorCursor = options.since ?? null;
    this.highestCursor = options.since ?? null;
  }

  /** The highest cursor processed (delivered, or acknowledged to this client). */
  get highest(): string | null {
    return this.highestCursor;
  }

  /** Where a resume `sync` starts: every event after it is either delivered or will be. */
  get resumeFrom(): string | null {
    return this.floorCursor;
  }

  /** Sets a provisional starting point (made from the client's clock), unless one is known. */
  startAt(cursor: string): void {
    if (this.floorCursor !== null) return;
    this.floorCursor = cursor;
    this.provisional = true;
  }

  /** Forgets everything and starts over from a provisional `cursor` (after `sync_expired`). */
  reset(cursor: string): void {
    this.recent.length = 0;
    this.recentSet.clear();
    this.floorCursor = cursor;
    this.provisional = true;
    this.highestCursor = null;
  }

  /** Decides about an event's cursor, and remembers it when it is to be delivered. */
  admit(cursor: string): Admission {
    if (this.floorCursor !== null && !this.provisional && cursor <= this.floorCursor)
      return { deliver: false, late: false };
    if (this.recentSet.has(cursor)) return { deliver: false, late: false };
    if (this.provisional) this.lowerProvisionalFloor(cursor);
    const late = this.highestCursor !== null && cursor < this.highestCursor;
    this.remember(cursor);
    if (!late) this.highestCursor = cursor;
    this.prune();
    return { deliver: true, late };
  }

  /** Records a cursor the client caused itself (an ack's), so its event is not delivered back. */
  markProcessed(cursor: string): void {
    this.admit(cursor);
  }

  /** A provisional floor goes back to the window before `cursor`, in the server's time. */
  private lowerProvisionalFloor(cursor: string): void {
    const time = cursorTime(cursor);
    if (time === undefined) return;
    const before = cursorAt(time - this.windowMs);
    if (this.floorCursor === null || before < this.floorCursor) this.floorCursor = before;
  }

  private remember(cursor: string): void {
    this.recentSet.add(cursor);
    const last = this.recent[this.recent.length - 1];
    if (last === undefined || cursor > last) {
      this.recent.push(cursor);
      return;
    }
    // A late cursor: binary search for its place (rare, and the array is short).
    let lo = 0;
    let hi = this.recent.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.recent[mid] as string) < cursor) lo = mid + 1;
      else hi = mid;
    }
    this.recent.splice(lo, 0, cursor);
  }

  /** Moves cursors that fell out of the window (or over the cap) below the floor. */
  private prune(): void {
    const highestTime = this.highestCursor === null ? undefined : cursorTime(this.highestCursor);
    const limit = highestTime === undefined ? -Infinity : highestTime - this.windowMs;
    while (this.recent.length > 0) {
      const oldest = this.recent[0] as string;
      const time = cursorTime(oldest);
      const outOfWindow = time !== undefined && time < limit;
      if (!outOfWindow && this.recent.length <= this.maxRemembered) return;
      this.recent.shift();
      this.recentSet.delete(oldest);
      if (this.floorCursor === null || oldest > this.floorCursor) this.floorCursor = oldest;
      this.provisional = false; // from now on the floor is a cursor the server gave
    }
  }
}

/**
 * Events that came on a connection while it was syncing. The sync's events and live pushes
 * arrive on the same socket and look the same, so all are held and released in cursor order:
 * after each `sync.done` page those at or below the page's cursor, at the end all the rest.
 */
export class EventBuffer<E extends { cursor: string }> {
  private events: E[] = [];

  add(event: E): void {
    this.events.push(event);
  }

  get size(): number {
    return this.events.length;
  }

  /** Removes and returns, sorted by cursor, the events at or below `upTo` (all without it). */
  take(upTo?: string): E[] {
    const taken: E[] = [];
    const kept: E[] = [];
    for (const event of this.events) {
      if (upTo === undefined || event.cursor <= upTo) taken.push(event);
      else kept.push(event);
    }
    this.events = kept;
    return taken.sort((a, b) => (a.cursor < b.cursor ? -1 : a.cursor > b.cursor ? 1 : 0));
  }
}
