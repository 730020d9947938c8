// A clock whose time only moves when the test says so: timers run in due order, and the
// promises they start settle before the next one runs. No test sleeps.

export class FakeClock {
  constructor(start = Date.UTC(2026, 10, 26, 10, 0, 0)) {
    this.time = start;
    this.timers = new Map();
    this.nextId = 1;
  }

  now() {
    return this.time;
  }

  setTimeout(callback, ms) {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(id) {
    this.timers.delete(id);
  }

  /** Moves time forward by `ms`, running every timer due on the way. */
  async advance(ms) {
    const end = this.time + ms;
    for (;;) {
      await settle();
      let next;
      for (const [id, timer] of this.timers) {
        if (timer.at > end) continue;
        if (!next || timer.at < next.timer.at || (timer.at === next.timer.at && id < next.id)) next = { id, timer };
      }
      if (!next) break;
      this.timers.delete(next.id);
      this.time = next.timer.at;
      next.timer.callback();
    }
    this.time = end;
    await settle();
  }

  /** Delays of the timers now pending, from now. */
  pendingDelays() {
    return [...this.timers.values()].map((t) => t.at - this.time).sort((a, b) => a - b);
  }
}

/** Lets pending promise callbacks (and the ones they schedule) run. */
export async function settle() {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}
