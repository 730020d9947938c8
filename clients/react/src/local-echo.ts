// The app's own actions, told to every hook.
//
// MissiveClient never reports this client's own actions as events (docs/client.md, "Your own
// actions are not news"): a send resolves its promise, and the server does not push its
// `message.new` back to the sending connection. So when `useConversation` sends, edits,
// deletes or marks read, the conversation list (and any other view of the same conversation)
// would not hear of it. The hooks re-broadcast each acknowledged action here, shaped like the
// event the other members receive, and every hook listens to both the client and this echo.

import type {
  DeliveryInfo,
  MessageDeletedEvent,
  MessageNewEvent,
  MessageUpdatedEvent,
  ReadEvent,
} from '@missive/client';
import type { Unsubscribe } from './store.js';

/** A `read` of the caller's own, with the unread count the server answered to it. */
export interface OwnReadEvent extends ReadEvent {
  unreadCount?: number;
}

export interface EchoEvents {
  'message.new': [event: MessageNewEvent, info: EchoInfo];
  'message.updated': [event: MessageUpdatedEvent, info: EchoInfo];
  'message.deleted': [event: MessageDeletedEvent, info: EchoInfo];
  read: [event: OwnReadEvent, info: EchoInfo];
}

export type EchoedEventName = keyof EchoEvents;

/** `own: true` tells an echo from an event that came from the server. */
export interface EchoInfo extends DeliveryInfo {
  own: true;
}

export const ECHO_INFO: EchoInfo = { late: false, own: true };

type AnyListener = (...args: unknown[]) => void;

export class LocalEcho {
  private readonly listeners = new Map<EchoedEventName, Set<AnyListener>>();

  on<K extends EchoedEventName>(name: K, listener: (...args: EchoEvents[K]) => void): Unsubscribe {
    return this.onAny(name, listener as unknown as AnyListener);
  }

  /** `on` for a listener typed by the caller (events.ts hands the client's listeners here). */
  onAny(name: EchoedEventName, listener: AnyListener): Unsubscribe {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  emit<K extends EchoedEventName>(name: K, ...args: EchoEvents[K]): void {
    for (const listener of [...(this.listeners.get(name) ?? [])]) {
      try {
        listener(...args);
      } catch (error) {
        // Like the client's emitter: one broken listener must not keep the others from hearing.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}

export function isEchoed(name: string): name is EchoedEventName {
  return name === 'message.new' || name === 'message.updated' || name === 'message.deleted' || name === 'read';
}
