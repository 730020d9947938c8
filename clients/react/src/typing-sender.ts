// The caller's own typing signals for one conversation, from "the user typed a key" calls.
//
// Calling `setTyping(true)` on every keystroke must not send a frame per keystroke: the
// server keeps one signal per user, conversation and state every 2 s and drops the rest, and
// every frame spends the connection's rate-limit budget (60 per 10 s, shared with sends). So a
// `start` goes out when typing begins and is refreshed every `refreshMs` while keys keep
// coming (before the receivers' 6 s expiry), and a `stop` follows `setTyping(false)`, a send,
// or `idleMs` without a keystroke.

import type { Clock, TimerHandle, TypingAck, TypingState } from '@missive/client';

export interface TypingTimings {
  /** Refresh `start` this often while typing goes on; under the receivers' expiry (6 s). Default 3 000. */
  refreshMs?: number;
  /** Send `stop` after this long without a keystroke. Default 5 000. */
  idleMs?: number;
}

/** The server's interval between two signals of one state: a dropped `start` may be retried after it. */
const SERVER_TYPING_INTERVAL_MS = 2_000;

export class TypingSender {
  private typing = false;
  private lastStartAt = -Infinity;
  private idleTimer: TimerHandle | undefined;
  private readonly refreshMs: number;
  private readonly idleMs: number;

  constructor(
    private readonly signal: (state: TypingState) => Promise<TypingAck>,
    private readonly clock: Clock,
    timings: TypingTimings = {},
  ) {
    this.refreshMs = timings.refreshMs ?? 3_000;
    this.idleMs = timings.idleMs ?? 5_000;
  }

  set(active: boolean): void {
    if (!active) {
      this.clearIdleTimer();
      if (!this.typing) return;
      this.typing = false;
      void this.send('stop');
      return;
    }
    const now = this.clock.now();
    if (!this.typing || now - this.lastStartAt >= this.refreshMs) {
      this.lastStartAt = now;
      void this.send('start').then((delivered) => {
        // Dropped (a `start` within 2 s of the previous one, e.g. after a quick stop): let the
        // next keystroke after the server's interval try again instead of waiting a full refresh.
        if (!delivered && this.lastStartAt === now) this.lastStartAt = now - this.refreshMs + SERVER_TYPING_INTERVAL_MS;
      });
    }
    this.typing = true;
    this.clearIdleTimer();
    this.idleTimer = this.clock.setTimeout(() => {
      this.idleTimer = undefined;
      this.set(false);
    }, this.idleMs);
  }

  /** Stops typing (a `stop` if a `start` was sent) and its timer. */
  dispose(): void {
    this.set(false);
  }

  /** Best effort: typing is only sent while connected and never repeated; the receivers' expiry covers a lost one. */
  private async send(state: TypingState): Promise<boolean> {
    try {
      return (await this.signal(state)).delivered;
    } catch {
      return false;
    }
  }

  private clearIdleTimer(): void {
    if (this.idleTimer !== undefined) this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}
