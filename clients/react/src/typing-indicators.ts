// Who is typing in one conversation, as the others' `typing` signals say.
//
// A `start` is shown until its `stop`, the sender's next message, or its expiry — whichever
// comes first. The expiry (`expiresInMs`, 6 s on the server) is how an indicator ends when
// the typist's client vanishes without a `stop`; a refreshed `start` pushes it back.

import type { Clock, TimerHandle, TypingEvent } from '@missive/client';

export interface TypingUser {
  userId: string;
  name: string;
}

/** Used when a `start` carries no expiry: the server's own default. */
export const DEFAULT_TYPING_EXPIRY_MS = 6_000;

export class TypingIndicators {
  private users: readonly TypingUser[] = [];
  private readonly timers = new Map<string, TimerHandle>();

  constructor(
    private readonly clock: Clock,
    private readonly onChange: () => void,
  ) {}

  get current(): readonly TypingUser[] {
    return this.users;
  }

  apply(event: TypingEvent): void {
    if (event.state === 'start') this.started(event.userId, event.name, event.expiresInMs ?? DEFAULT_TYPING_EXPIRY_MS);
    else this.stopped(event.userId);
  }

  started(userId: string, name: string, expiresInMs: number): void {
    this.clearTimer(userId);
    this.timers.set(
      userId,
      this.clock.setTimeout(() => {
        this.timers.delete(userId);
        this.remove(userId);
      }, expiresInMs),
    );
    const held = this.users.find((u) => u.userId === userId);
    if (held && held.name === name) return;
    // Kept in the order they started, so the line "Ann, Bob are typing" does not reshuffle.
    this.users = held
      ? this.users.map((u) => (u.userId === userId ? { userId, name } : u))
      : [...this.users, { userId, name }];
    this.onChange();
  }

  /** A `stop`, or a message from that user (sending ends typing). */
  stopped(userId: string): void {
    this.clearTimer(userId);
    this.remove(userId);
  }

  clear(): void {
    for (const timer of this.timers.values()) this.clock.clearTimeout(timer);
    this.timers.clear();
    if (this.users.length === 0) return;
    this.users = [];
    this.onChange();
  }

  private remove(userId: string): void {
    if (!this.users.some((u) => u.userId === userId)) return;
    this.users = this.users.filter((u) => u.userId !== userId);
    this.onChange();
  }

  private clearTimer(userId: string): void {
    const timer = this.timers.get(userId);
    if (timer !== undefined) this.clock.clearTimeout(timer);
    this.timers.delete(userId);
  }
}
