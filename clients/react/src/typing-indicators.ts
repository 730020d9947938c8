// Who is typing in one conversation, as the others' `typing` signals say.
//
// A `start` is shown until its `stop`, the sender's next message, or its expiry — whichever
// comes first. The expiry (`expiresInMs`, 6 s on the server) is how an indicator ends when
// the typist's client vanishes without a `stop`; a refreshed `start` pushes it back.
//
// In a large group the server sends a `typing.summary` instead: the whole set of typists,
// each with its own expiry. It replaces what is shown (`replace`).

import type { Clock, TimerHandle, Typer, TypingEvent } from '@missive/client';

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
    this.expireIn(userId, expiresInMs);
    const held = this.users.find((u) => u.userId === userId);
    if (held && held.name === name) return;
    // Kept in the order they started, so the line "Ann, Bob are typing" does not reshuffle.
    this.users = held
      ? this.users.map((u) => (u.userId === userId ? { userId, name } : u))
      : [...this.users, { userId, name }];
    this.onChange();
  }

  /**
   * A `typing.summary` (large groups): exactly these users are typing now, each shown for its
   * `expiresInMs` unless a later summary says otherwise. Those shown already keep their place
   * (the line does not reshuffle), the others follow in the summary's order, and those missing
   * from it stopped. An empty list: nobody is typing.
   */
  replace(typers: readonly Typer[]): void {
    const listed = new Map<string, Typer>();
    for (const typer of typers) {
      const expiresInMs = typeof typer.expiresInMs === 'number' ? typer.expiresInMs : DEFAULT_TYPING_EXPIRY_MS;
      if (expiresInMs > 0) listed.set(typer.userId, { ...typer, expiresInMs });
      else listed.delete(typer.userId);
    }
    for (const userId of [...this.timers.keys()]) if (!listed.has(userId)) this.clearTimer(userId);
    for (const typer of listed.values()) this.expireIn(typer.userId, typer.expiresInMs);
    const kept = this.users
      .filter((u) => listed.has(u.userId))
      .map((u) => {
        const name = (listed.get(u.userId) as Typer).name;
        return u.name === name ? u : { userId: u.userId, name };
      });
    const shown = new Set(kept.map((u) => u.userId));
    const added = [...listed.values()]
      .filter((t) => !shown.has(t.userId))
      .map((t) => ({ userId: t.userId, name: t.name }));
    const next = added.length === 0 ? kept : [...kept, ...added];
    if (next.length === this.users.length && next.every((u, i) => u === this.users[i])) return;
    this.users = next;
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

  /** (Re)arms `userId`'s expiry: removed after `expiresInMs` unless refreshed or stopped first. */
  private expireIn(userId: string, expiresInMs: number): void {
    this.clearTimer(userId);
    this.timers.set(
      userId,
      this.clock.setTimeout(() => {
        this.timers.delete(userId);
        this.remove(userId);
      }, expiresInMs),
    );
  }

  private clearTimer(userId: string): void {
    const timer = this.timers.get(userId);
    if (timer !== undefined) this.clock.clearTimeout(timer);
    this.timers.delete(userId);
  }
}
