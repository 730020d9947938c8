// Small hooks the screens share.

import { useEffect, useLayoutEffect, useState, type CSSProperties, type RefObject } from 'react';

/** `value`, once it has stopped changing for `ms` (a search box asks the server once per pause). */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** Calls `tick` now and every `ms` while mounted (and while `enabled`). */
export function useInterval(tick: () => void, ms: number, enabled = true): void {
  useEffect(() => {
    if (!enabled) return;
    tick();
    const timer = setInterval(tick, ms);
    return () => clearInterval(timer);
    // `tick` may be new on every render: the interval keeps the first one on purpose, so
    // callers pass a stable function (useCallback) when it matters.
  }, [ms, enabled]);
}

/**
 * Gives focus back, when the component goes, to what had it when the component came (the
 * button that opened a dialog or a panel) — however it goes, even removed by the screen
 * without being closed — unless the person has gone on elsewhere since: only when focus was
 * inside `container` (or lost with it). Call it before anything that moves focus in.
 */
export function useReturnFocus(container: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const element = container.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    return () => {
      // By then the element is out of the page and focus with it (on <body>).
      const current = document.activeElement;
      const lost = current === null || current === document.body || !!element?.contains(current);
      if (lost && opener?.isConnected) opener.focus();
    };
  }, []);
}

/**
 * Where a panel drawn above the page (a modal dialog, out of the layout) goes while `open`:
 * under `anchor`, `gap` pixels below it and right-aligned with it — put before it shows, and
 * again when the window is resized.
 */
export function usePlaceUnder(open: boolean, anchor: RefObject<HTMLElement | null>, gap: number): CSSProperties {
  const [place, setPlace] = useState<CSSProperties>({});
  useLayoutEffect(() => {
    if (!open) return;
    const put = () => {
      const r = anchor.current?.getBoundingClientRect();
      if (r) setPlace({ top: r.bottom + gap, right: document.documentElement.clientWidth - r.right });
    };
    put();
    window.addEventListener('resize', put);
    return () => window.removeEventListener('resize', put);
  }, [open, anchor, gap]);
  return place;
}
