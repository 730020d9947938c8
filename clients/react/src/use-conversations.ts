// useConversations: the caller's conversation list, live (see conversation-list-model.ts).

import { useMissiveContext } from './context.js';
import {
  ConversationListModel,
  type ConversationListQuery,
  type ConversationListState,
} from './conversation-list-model.js';
import { useModel } from './use-model.js';

export interface UseConversations extends ConversationListState {
  /** Fetches the next page. */
  loadMore: () => Promise<void>;
  /** Drops what is held and fetches the first page again (done by itself on the client's `reload`). */
  reload: () => void;
}

export function useConversations(query: ConversationListQuery = {}): UseConversations {
  const context = useMissiveContext();
  const { kind, q, limit, archived } = query;
  const [state, model] = useModel(
    () => new ConversationListModel(context, withoutUndefined({ kind, q, limit, archived })),
    [context, kind, q, limit, archived],
  );
  return { ...state, loadMore: model.loadMore, reload: model.reload };
}

/** The REST client leaves out `undefined` parameters anyway; this keeps the query readable in tests. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
