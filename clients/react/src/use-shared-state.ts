// Binds a component to one of the provider's shared models (model-cache.ts): the model is held
// while the component is mounted, and its state rendered.

import { useCallback, useSyncExternalStore } from 'react';
import type { ModelCache, SharedModel } from './model-cache.js';

interface CachedModel<S> extends SharedModel {
  getSnapshot(): S;
}

/**
 * The state of `cache`'s model of `key` (`notLoaded` while none is held, or without a key).
 * The model is held while the component is mounted (React subscribes in an effect): a render
 * only reads what is held, so a render React throws away holds nothing, and StrictMode's
 * second mount finds the first's load in flight.
 */
export function useSharedState<S, M extends CachedModel<S>>(
  cache: Pick<ModelCache<M>, 'use' | 'peek'>,
  key: string | null,
  notLoaded: S,
): S {
  const subscribe = useCallback(
    (onChange: () => void) => (key ? cache.use(key, onChange) : () => {}),
    [cache, key],
  );
  const getSnapshot = () => (key && cache.peek(key)?.getSnapshot()) || notLoaded;
  return useSyncExternalStore(subscribe, getSnapshot, getSnapshot);
}
