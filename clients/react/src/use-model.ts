// Binds a model (store.ts) to a component: created when its inputs change, started while the
// component is mounted, rendered from its snapshots.

import { useEffect, useMemo, useSyncExternalStore, type DependencyList } from 'react';
import type { Model } from './store.js';

export type SnapshotOf<M> = M extends Model<infer S> ? S : never;

export function useModel<M extends Model<unknown>>(create: () => M, inputs: DependencyList): [SnapshotOf<M>, M] {
  // Creating a model has no side effect (it only holds state): the work starts in the effect,
  // so a model React throws away unused costs nothing.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const model = useMemo(create, inputs);
  useEffect(() => {
    model.start();
    return () => model.stop();
  }, [model]);
  const state = useSyncExternalStore(model.subscribe, model.getSnapshot, model.getSnapshot);
  return [state as SnapshotOf<M>, model];
}
