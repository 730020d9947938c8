'use client';

// @missive/react — React bindings of @missive/client: a provider and live hooks. A client module
// for React Server Components (the directive above): hooks and context run in the browser.

export { MissiveProvider, type MissiveProviderProps } from './provider.js';
export { useMissive, useMissiveEvent, type UseMissive } from './use-missive.js';
export type { EventName as MissiveEventName, EventListener as MissiveEventListener } from './events.js';
export { useConversations, type UseConversations } from './use-conversations.js';
export type { ConversationListQuery, ConversationListState } from './conversation-list-model.js';
export { useConversation, type ConversationOptions, type UseConversation } from './use-conversation.js';
export type { ConversationState } from './conversation-model.js';
export type { LoadStatus, PagedState } from './paged-model.js';
export { isPending, type ChatMessage, type PendingFile, type PendingMessage } from './pending-sends.js';
export type { TypingUser } from './typing-indicators.js';
export type { TypingTimings } from './typing-sender.js';
export { isReadByAll, readersOf, type ReadMarker, type ReadMarkers } from './read-markers.js';
export { useThread, type UseThread } from './use-thread.js';
export type { ThreadSendOptions, ThreadState } from './thread-model.js';
export { useMessageSearch, type UseMessageSearch } from './use-message-search.js';
export type { MessageSearchOptions, MessageSearchState } from './message-search-model.js';
export { useNotifications, type UseNotifications } from './use-notifications.js';
export type { NotificationsQuery, NotificationsState } from './notifications-model.js';
export { useUnreadTotal, type UseUnreadTotal } from './use-unread-total.js';
export type { UnreadTotalState } from './unread-total-model.js';
export { usePresence, type PresenceByUser } from './use-presence.js';
export type { Presence } from './presence-store.js';
export type { EchoInfo, OwnReadEvent } from './local-echo.js';
