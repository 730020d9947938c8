// Small hooks the screens share.

import { useEffect, useState } from 'react';

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
