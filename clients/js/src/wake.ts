// Moments when the connection is worth checking at once rather than at the next timer: the
// device is back online, or the page is visible again. A laptop that slept, a phone that
// changed network, a tab the browser froze: their socket may be dead without a close event,
// and the backoff may be waiting for up to 30 s. The client then pings (or reconnects now).

/** A source of wake-ups: `subscribe` calls `wake` on each, and returns how to stop. */
export interface WakeSignals {
  subscribe(wake: () => void): () => void;
}

/** The part of `window` and `document` used (both are EventTargets). */
export interface WakeTarget {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

/**
 * The browser's: `online` on `window`, and `visibilitychange` on `document` when the page
 * becomes visible. `undefined` where there is neither (Node). The targets are parameters for
 * tests; by default the global ones.
 */
export function browserWakeSignals(
  win: WakeTarget | undefined = (globalThis as { window?: WakeTarget }).window,
  doc: (WakeTarget & { visibilityState?: string }) | undefined = (
    globalThis as { document?: WakeTarget & { visibilityState?: string } }
  ).document,
): WakeSignals | undefined {
  const onWindow = typeof win?.addEventListener === 'function' ? win : undefined;
  const onDocument = typeof doc?.addEventListener === 'function' ? doc : undefined;
  if (!onWindow && !onDocument) return undefined;
  return {
    subscribe(wake) {
      const online = (): void => wake();
      const visibility = (): void => {
        if (onDocument?.visibilityState === undefined || onDocument.visibilityState === 'visible') wake();
      };
      onWindow?.addEventListener('online', online);
      onDocument?.addEventListener('visibilitychange', visibility);
      return () => {
        onWindow?.removeEventListener('online', online);
        onDocument?.removeEventListener('visibilitychange', visibility);
      };
    },
  };
}
