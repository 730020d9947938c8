// One way for the hooks to hear an event, whether the server sent it (through the client) or
// the app did it itself (through the local echo).

import type { ClientEvents } from '@missive/client';
import type { ConversationServices } from './services.js';
import { isEchoed } from './local-echo.js';
import type { Unsubscribe } from './store.js';

export type EventName = keyof ClientEvents;
export type EventListener<K extends EventName> = (...args: ClientEvents[K]) => void;

/** Listens to `name` on the client and, for the events one's own actions produce, on the echo. */
export function listen<K extends EventName>(
  context: Pick<ConversationServices, 'client' | 'echo'>,
  name: K,
  listener: EventListener<K>,
): Unsubscribe {
  const offClient = context.client.on(name, listener);
  if (!isEchoed(name)) return offClient;
  // The echo's arguments are the client's, with `own: true` added to the delivery info.
  const offEcho = context.echo.onAny(name, listener as unknown as (...args: unknown[]) => void);
  return () => {
    offClient();
    offEcho();
  };
}

/** Several subscriptions undone at once. */
export function unsubscribeAll(subscriptions: Unsubscribe[]): Unsubscribe {
  return () => {
    for (const off of subscriptions.splice(0)) off();
  };
}
