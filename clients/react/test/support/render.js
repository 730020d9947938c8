// Renders hooks inside a MissiveProvider with a real React (react-dom on happy-dom), the way
// a component would use them, and keeps the latest value each returned.

import { createElement, StrictMode } from 'react';
import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { MissiveProvider } from '../../dist/index.js';

/**
 * `useHooks(props)` runs inside one component under the provider; its return value is
 * `result.current` after every render. `rerender(props)` renders again with new props;
 * `hide()` unmounts that component (the provider stays, as when the app navigates away) and
 * `show()` mounts a new one, `result.current` keeping the last value meanwhile.
 * `providerProps` go to the provider as well.
 */
export async function renderHooks(
  useHooks,
  { client, rest, clock, userId = 'me', strict = false, props, providerProps = {} } = {},
) {
  const container = document.createElement('div');
  const root = createRoot(container);
  const result = { current: undefined, renders: 0 };
  function Probe({ hookProps }) {
    result.current = useHooks(hookProps);
    result.renders++;
    return null;
  }
  let shown = true;
  let latestProps = props;
  const tree = (hookProps) => {
    latestProps = hookProps;
    const provider = createElement(
      MissiveProvider,
      { client, rest, clock, userId, connect: false, ...providerProps },
      shown ? createElement(Probe, { hookProps }) : null,
    );
    return strict ? createElement(StrictMode, null, provider) : provider;
  };
  await act(async () => root.render(tree(props)));
  return {
    result,
    rerender: (hookProps) => act(async () => root.render(tree(hookProps))),
    hide: () => {
      shown = false;
      return act(async () => root.render(tree(latestProps)));
    },
    show: (hookProps = latestProps) => {
      shown = true;
      return act(async () => root.render(tree(hookProps)));
    },
    unmount: () => act(async () => root.unmount()),
  };
}

/** Runs `work` (emitting events, answering requests, moving the clock) and lets React catch up. */
export function step(work) {
  return act(async () => {
    await work();
  });
}
