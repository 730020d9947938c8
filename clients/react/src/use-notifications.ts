// useNotifications: the caller's bell, live (see notifications-model.ts).

import { useMissiveContext } from './context.js';
import { NotificationsModel, type NotificationsQuery, type NotificationsState } from './notifications-model.js';
import { useModel } from './use-model.js';

export interface UseNotifications extends NotificationsState {
  /** Marks one read; the counter goes down at once (back up if the server refuses). */
  markRead: (id: string) => Promise<void>;
  /** Marks all read; the counter is 0 at once. */
  markAllRead: () => Promise<void>;
  loadMore: () => Promise<void>;
  /** Asks the server again (reads made on another device send no event). */
  refresh: () => Promise<void>;
}

export function useNotifications(query: NotificationsQuery = {}): UseNotifications {
  const context = useMissiveContext();
  const { limit } = query;
  const [state, model] = useModel(
    () => new NotificationsModel(context, limit === undefined ? {} : { limit }),
    [context, limit],
  );
  return {
    ...state,
    markRead: model.markRead,
    markAllRead: model.markAllRead,
    loadMore: model.loadMore,
    refresh: model.refresh,
  };
}
