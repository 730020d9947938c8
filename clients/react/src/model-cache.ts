// The provider's shared models — one per conversation (conversation-cache.ts), one per thread
// (thread-cache.ts) — each shared by every hook that shows it, and kept for a while after the
// last one stops.
//
// Kept, within a bound: at most `keep` models that nobody shows, the least recently shown
// forgotten first — except one holding a send in flight or failed, which forgetting would lose
// without a word (the user discards or retries it).
//
// Current while kept: one listener per event type for all the caches (`routeEvents`) hands each
// event to the models of its conversation, shown or not, so a kept model misses nothing and shows again
// without a request. The client's resume `sync` brings back what a dropped connection missed;
// only when events are lost for good (its `reload`) does a model read its newest page again —
// at once when shown, at its next use otherwise.

import type { ClientEvents } from '@missive/client';
import type { ConversationServices } from './services.js';
import { listen, unsubscribeAll } from './events.js';
import type { Unsubscribe } from './store.js';

/** The events about one conversation that its models follow (the cache hands each to `hear`). */
export const CONVERSATION_EVENTS = [
  'message.new',
  'message.updated',
  'message.deleted',
  'reaction.updated',
  'read',
  'read.summary',
  'typing',
  'typing.summary',
  'conversation.updated',
] as const;

export type ConversationEventName = (typeof CONVERSATION_EVENTS)[number];
export type EventOf<K extends ConversationEventName> = ClientEvents[K][0];

/** What the cache needs of a model. */
export interface SharedModel {
  /** Some component shows it now. */
  readonly inUse: boolean;
  /** Sends in flight or failed: the cache keeps it whatever the bound. */
  readonly holdsSends: boolean;
  subscribe(listener: () => void): Unsubscribe;
  /** A component shows it (the first use loads what the model lacks). */
  use(): void;
  release(): void;
  /** One of its conversation's events. */
  hear<K extends ConversationEventName>(name: K, event: EventOf<K>): void;
  /** Events were lost: what is held may have gaps. */
  reloaded(): void;
}

/**
 * Routes the client's events (and the echo of one's own actions) to the caches' models, while
 * the provider is mounted: one listener per event type for all of them.
 */
export function routeEvents(context: ConversationServices, caches: readonly ModelCache<SharedModel>[]): Unsubscribe {
  const route = <K extends ConversationEventName>(name: K) =>
    listen(context, name, ((event: EventOf<K>) => {
      const id = 'conversationId' in event ? event.conversationId : event.conversation.id;
      for (const cache of caches) cache.hear(name, id, event);
    }) as never);
  return unsubscribeAll([
    ...CONVERSATION_EVENTS.map(route),
    listen(context, 'reload', () => {
      for (const cache of caches) cache.reloaded();
    }),
  ]);
}

export abstract class ModelCache<M extends SharedModel> {
  /** By key, the least recently shown first (a use or a release moves one last). */
  protected readonly models = new Map<string, M>();
  private forgetScheduled = false;

  constructor(
    protected readonly context: ConversationServices,
    private readonly keep: number,
    private readonly events: readonly ConversationEventName[],
  ) {}

  /** A new model for `key`. */
  protected abstract create(key: string): M;

  /** The models an event of conversation `conversationId` is about. */
  protected abstract about(conversationId: string): Iterable<M>;

  /** Hands an event of conversation `conversationId` to the models it is about, if they follow its kind. */
  hear<K extends ConversationEventName>(name: K, conversationId: string, event: EventOf<K>): void {
    if (this.events.includes(name)) for (const model of this.about(conversationId)) model.hear(name, event);
  }

  /** Events were lost (the resume point expired): what every model holds may have gaps. */
  reloaded(): void {
    for (const model of this.models.values()) model.reloaded();
  }

  /** The model of `key` if one is held: what a render shows (holding one is the effects' business). */
  peek(key: string): M | undefined {
    return this.models.get(key);
  }

  /** The model of `key`, made if missing (for an action). */
  get(key: string): M {
    let model = this.models.get(key);
    if (!model) this.models.set(key, (model = this.create(key)));
    return model;
  }

  /**
   * Shows the model of `key` until the returned function is called: `onChange` hears each
   * change of its state, and the first use loads what the model lacks. Then it is kept, within
   * the bound.
   */
  use(key: string, onChange: () => void): Unsubscribe {
    const model = this.get(key);
    this.moveLast(key, model);
    const off = model.subscribe(onChange);
    model.use();
    return () => {
      off();
      model.release();
      this.moveLast(key, model);
      this.scheduleForget();
    };
  }

  private moveLast(key: string, model: M): void {
    if (this.models.get(key) !== model) return;
    this.models.delete(key);
    this.models.set(key, model);
  }

  /**
   * Later in the same task: navigating from one model to another releases the first before the
   * second is used (React runs a commit's cleanups first), and the second, perhaps the least
   * recently shown, must not be forgotten in between.
   */
  private scheduleForget(): void {
    if (this.forgetScheduled) return;
    this.forgetScheduled = true;
    queueMicrotask(() => {
      this.forgetScheduled = false;
      this.forgetBeyondBound();
    });
  }

  private forgetBeyondBound(): void {
    const idle = [...this.models].filter(([, model]) => !model.inUse && !model.holdsSends);
    for (const [key] of idle.slice(0, Math.max(0, idle.length - this.keep))) this.models.delete(key);
  }
}
