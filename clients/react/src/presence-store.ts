// Who is online, for the whole app: one cache fed by the REST directory (`GET /v1/users`,
// each user with `online` and `lastSeenAt`) and by live `presence` events, however many
// components ask.
//
// The API has no "presence of these users" route: the directory is read page by page (100
// users each, in id order) until every wanted user is found or the page passes the highest
// wanted id. Pages are coalesced: ids asked in the same tick share one read. A live event is
// newer than any page read before it, so a page never overwrites what an event said. Presence
// is never in `sync`: after a reconnection the events of the gap are gone, so the wanted users
// are read again. Guests may not read the directory (403): for them only live events count.
// An erased person (`~erased`, in a direct conversation's participants) is no one: never looked
// for — their id sorts after every other, so the directory would be read to its end for nothing.

import { isMissiveError, type MissiveClient, type MissiveRest, type PresenceEvent } from '@missive/client';
import { ERASED } from './erased.js';
import { Store, type Unsubscribe } from './store.js';

export interface Presence {
  online: boolean;
  /** When their last connection closed; `null` when never seen or online. */
  lastSeenAt: string | null;
}

/** How many directory pages one read may walk (100 users each). */
const MAX_DIRECTORY_PAGES = 50;
const PAGE_SIZE = 100;

export class PresenceStore extends Store<ReadonlyMap<string, Presence>> {
  /** Ids asked by mounted components, with how many ask. */
  private readonly wanted = new Map<string, number>();
  /** Ids a directory read already looked for (found or not). */
  private readonly looked = new Set<string>();
  /** Ids a live event set since the last reconnection: no page overwrites them. */
  private readonly live = new Set<string>();
  private readScheduled = false;
  private reading = false;
  private readAgain = false;
  /** The directory refused us (a guest): live events only. */
  private forbidden = false;

  constructor(private readonly context: { client: MissiveClient; rest: MissiveRest }) {
    super(new Map());
  }

  /** Listens to the client while the provider is mounted. */
  attach(): Unsubscribe {
    let wasConnected = this.context.client.state === 'connected';
    const offPresence = this.context.client.on('presence', (event) => this.onPresence(event));
    const offState = this.context.client.on('state', ({ state }) => {
      if (state === 'connected' && wasConnected) {
        // The events of the gap are lost (presence is never synced): read the directory again.
        this.looked.clear();
        this.live.clear();
        this.scheduleRead();
      }
      if (state === 'connected') wasConnected = true;
    });
    return () => {
      offPresence();
      offState();
    };
  }

  /** Asks for these users' presence while the returned function is not called. */
  want(wanted: readonly string[]): Unsubscribe {
    const userIds = wanted.filter((id) => id !== ERASED);
    for (const id of userIds) this.wanted.set(id, (this.wanted.get(id) ?? 0) + 1);
    if (userIds.some((id) => !this.looked.has(id))) this.scheduleRead();
    return () => {
      for (const id of userIds) {
        const count = (this.wanted.get(id) ?? 1) - 1;
        if (count > 0) this.wanted.set(id, count);
        else this.wanted.delete(id);
      }
    };
  }

  private onPresence(event: PresenceEvent): void {
    this.live.add(event.userId);
    this.set([[event.userId, { online: event.online, lastSeenAt: event.lastSeenAt ?? null }]]);
  }

  private scheduleRead(): void {
    if (this.readScheduled || this.forbidden) return;
    this.readScheduled = true;
    // Components mounting in the same render ask in the same tick: one read for all of them.
    queueMicrotask(() => {
      this.readScheduled = false;
      void this.readDirectory();
    });
  }

  private async readDirectory(): Promise<void> {
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    const missing = [...this.wanted.keys()].filter((id) => !this.looked.has(id)).sort();
    if (missing.length === 0 || this.forbidden) return;
    this.reading = true;
    for (const id of missing) this.looked.add(id);
    const highest = missing[missing.length - 1] as string;
    const pending = new Set(missing);
    const found: [string, Presence][] = [];
    try {
      let cursor: string | undefined;
      for (let pages = 0; pages < MAX_DIRECTORY_PAGES; pages++) {
        const page = await this.context.rest.listUsers(
          cursor === undefined ? { limit: PAGE_SIZE } : { cursor, limit: PAGE_SIZE },
        );
        for (const user of page.users) {
          if (!pending.delete(user.id)) continue;
          if (!this.live.has(user.id))
            found.push([user.id, { online: user.online, lastSeenAt: user.lastSeenAt ?? null }]);
        }
        const lastId = page.users[page.users.length - 1]?.id;
        // The directory is in id order: past the highest wanted id, the others do not exist.
        if (pending.size === 0 || page.nextCursor == null || (lastId !== undefined && lastId >= highest)) break;
        cursor = page.nextCursor;
      }
      this.set(found);
    } catch (error) {
      if (isMissiveError(error) && error.code === 'forbidden') this.forbidden = true;
      // Otherwise the next reconnection reads again; no retry loop against a failing server.
    } finally {
      this.reading = false;
      if (this.readAgain) {
        this.readAgain = false;
        this.scheduleRead();
      }
    }
  }

  private set(entries: readonly [string, Presence][]): void {
    const snapshot = this.getSnapshot();
    const changed = entries.filter(([id, p]) => {
      const held = snapshot.get(id);
      return !held || held.online !== p.online || held.lastSeenAt !== p.lastSeenAt;
    });
    if (changed.length === 0) return;
    const next = new Map(snapshot);
    for (const [id, presence] of changed) next.set(id, presence);
    this.setState(next);
  }
}
