// useMessageSearch: messages of one conversation that contain a query, for a search box —
// debounced, answering the latest query only, paged back (see message-search-model.ts).

import { useEffect } from 'react';
import { useMissiveContext } from './context.js';
import { MessageSearchModel, type MessageSearchOptions, type MessageSearchState } from './message-search-model.js';
import { useModel } from './use-model.js';

export interface UseMessageSearch extends MessageSearchState {
  /** Searches further back (while `more`). */
  loadMore: () => Promise<void>;
}

/** Pass the query as typed, on every keystroke: it is asked once it stays unchanged for `debounceMs`. */
export function useMessageSearch(
  conversationId: string | null | undefined,
  query: string,
  options: MessageSearchOptions = {},
): UseMessageSearch {
  const context = useMissiveContext();
  const { debounceMs, limit } = options;
  const [state, model] = useModel(
    () => new MessageSearchModel(context, conversationId ?? null, { debounceMs, limit }),
    [context, conversationId, debounceMs, limit],
  );
  // After the model's start (the effect useModel declared first): a new model, or a new query.
  useEffect(() => model.setQuery(query), [model, query]);
  return { ...state, loadMore: model.loadMore };
}
