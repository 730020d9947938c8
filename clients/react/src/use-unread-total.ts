// useUnreadTotal: what waits for the user across everything, kept current (see
// unread-total-model.ts).

import { useMissiveContext } from './context.js';
import { UnreadTotalModel, type UnreadTotalState } from './unread-total-model.js';
import { useModel } from './use-model.js';

export interface UseUnreadTotal extends UnreadTotalState {
  /** Asks the server again, for a change that sends no event (muting a conversation). */
  refresh: () => void;
}

export function useUnreadTotal(): UseUnreadTotal {
  const context = useMissiveContext();
  const [state, model] = useModel(() => new UnreadTotalModel(context), [context]);
  return { ...state, refresh: model.refresh };
}
