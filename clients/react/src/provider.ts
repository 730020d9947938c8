// MissiveProvider: one MissiveClient and one MissiveRest for the components below it, and
// the state the hooks share: one per conversation (conversation-cache.ts), one per thread
// (thread-cache.ts), presence.
//
// Give it ready-made instances (`client`, `rest`) — the app then owns them and closes them —
// or their options (`clientOptions`, `restOptions`), and it creates them, connects the client
// on mount and closes it on unmount. Options are read when the instances are created: to
// change user or server, give the provider a new `key` (or new instances).

import {
  MissiveClient,
  MissiveRest,
  systemClock,
  type Clock,
  type MissiveClientOptions,
  type MissiveRestOptions,
} from '@missive/client';
import { createElement, useEffect, useMemo, useRef, type ReactElement, type ReactNode } from 'react';
import { MissiveContext, type MissiveContextValue } from './context.js';
import { ConversationCache } from './conversation-cache.js';
import { Identity } from './identity.js';
import { LocalEcho } from './local-echo.js';
import { routeEvents } from './model-cache.js';
import { PresenceStore } from './presence-store.js';
import { ThreadCache } from './thread-cache.js';

export interface MissiveProviderProps {
  /** A client the app made (and closes); otherwise `clientOptions`. */
  client?: MissiveClient;
  /** Options of the client the provider makes, connects and closes. */
  clientOptions?: MissiveClientOptions;
  /** A REST client the app made; otherwise `restOptions`. */
  rest?: MissiveRest;
  restOptions?: MissiveRestOptions;
  /**
   * The signed-in user's id, if the app knows it (from its own session, or a guest session's
   * `user.id`); otherwise the provider asks `rest.me()`. Used to tell one's own messages apart.
   */
  userId?: string | null;
  /** Call `client.connect()` on mount. Default true. */
  connect?: boolean;
  /** Time for the hooks' timers (typing, search debounce); tests pass a fake. Default: the system's. */
  clock?: Clock;
  /**
   * How many conversations no component shows are kept (their messages, sends in flight or
   * failed) for when one is shown again, the least recently shown forgotten first. Default 20.
   */
  keepConversations?: number;
  children?: ReactNode;
}

export function MissiveProvider(props: MissiveProviderProps): ReactElement {
  const { client: givenClient, rest: givenRest, userId, connect = true } = props;
  // Options objects are usually written inline (new on every render): they are read only when
  // the instances are made, which is when the given instances change.
  const optionsRef = useRef(props);
  optionsRef.current = props;

  const value = useMemo<MissiveContextValue & { ownsClient: boolean }>(() => {
    const { clientOptions, restOptions, clock, keepConversations } = optionsRef.current;
    const client = givenClient ?? (clientOptions ? new MissiveClient(clientOptions) : undefined);
    const rest = givenRest ?? (restOptions ? new MissiveRest(restOptions) : undefined);
    if (!client) throw new Error('MissiveProvider needs `client` or `clientOptions`');
    if (!rest) throw new Error('MissiveProvider needs `rest` or `restOptions`');
    const services = {
      client,
      rest,
      clock: clock ?? systemClock,
      echo: new LocalEcho(),
      identity: new Identity(optionsRef.current.userId ?? null),
    };
    return {
      ...services,
      presence: new PresenceStore({ client, rest }),
      conversations: new ConversationCache(services, keepConversations),
      threads: new ThreadCache(services),
      ownsClient: givenClient === undefined,
    };
  }, [givenClient, givenRest]);

  // Connect on mount; close on unmount what the provider made. StrictMode unmounts and mounts
  // again at once: the close waits a microtask and the remount cancels it, so the client is not
  // closed (for good: `closed` is final) under a provider that is still there.
  const pendingClose = useRef<MissiveClient | null>(null);
  useEffect(() => {
    const { client, ownsClient } = value;
    if (pendingClose.current === client) pendingClose.current = null;
    if (connect)
      client.connect().catch(() => {
        // A failed or closed connection shows in `useMissive().state`; nothing to throw at.
      });
    return () => {
      if (!ownsClient) return;
      pendingClose.current = client;
      queueMicrotask(() => {
        if (pendingClose.current === client) {
          pendingClose.current = null;
          client.close();
        }
      });
    };
  }, [value, connect]);

  useEffect(() => value.presence.attach(), [value]);
  useEffect(() => routeEvents(value, [value.conversations, value.threads]), [value]);

  // Who the user is: the prop, or the server's answer (asked again after each connection
  // while unknown, e.g. when the token was not ready at first).
  useEffect(() => {
    const { identity, rest, client } = value;
    if (userId) {
      identity.set(userId);
      return;
    }
    let active = true;
    const ask = () => {
      rest.me().then(
        (me) => {
          if (active) identity.set(me.user.id);
        },
        () => {
          // Left unknown for now; the next connection asks again.
        },
      );
    };
    if (identity.userId === null) ask();
    const off = client.on('state', ({ state }) => {
      if (state === 'connected' && identity.userId === null) ask();
    });
    return () => {
      active = false;
      off();
    };
  }, [value, userId]);

  return createElement(MissiveContext.Provider, { value }, props.children);
}
