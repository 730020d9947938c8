// A value that changes over time and tells its subscribers, in the shape React's
// `useSyncExternalStore` reads: the hooks' state lives in plain classes (testable, free of
// React's rules) and React only renders snapshots of it.

export type Unsubscribe = () => void;

export class Store<S> {
  private readonly listeners = new Set<() => void>();

  constructor(private state: S) {}

  /** The current snapshot; the same object until the next change (React compares by identity). */
  readonly getSnapshot = (): S => this.state;

  readonly subscribe = (listener: () => void): Unsubscribe => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  protected get current(): S {
    return this.state;
  }

  protected setState(next: S): void {
    if (Object.is(next, this.state)) return;
    this.state = next;
    for (const listener of [...this.listeners]) listener();
  }

  /** Changes some fields; nothing happens (no new snapshot, no re-render) when none differs. */
  protected update(patch: Partial<S>): void {
    const changed = (Object.keys(patch) as (keyof S)[]).some((key) => !Object.is(patch[key], this.state[key]));
    if (changed) this.setState({ ...this.state, ...patch });
  }
}

/**
 * A store that does work while a component uses it: `start()` subscribes and loads, `stop()`
 * undoes it. Under React's StrictMode a model is started, stopped and started again, so
 * `start()` must begin afresh and answers of a stopped run must be ignored (see `Runs`).
 */
export abstract class Model<S> extends Store<S> {
  abstract start(): void;
  abstract stop(): void;
}

/**
 * Counts the runs of a model, so that an answer that arrives after `stop()` (or after a
 * restart) is recognised as stale and dropped instead of landing in the next run's state.
 */
export class Runs {
  private run = 0;

  /** The run in progress, for work an action starts. */
  get current(): number {
    return this.run;
  }

  next(): number {
    return ++this.run;
  }

  end(): void {
    this.run++;
  }

  isCurrent(run: number): boolean {
    return run === this.run;
  }
}
