'use client';

// @missive/react — React bindings of @missive/client: a provider and live hooks. A client module
// for React Server Components (the directive above): hooks and context run in the browser.

export { MissiveProvider, type MissiveProviderProps } from './provider.js';
export { useMissive, useMissiveEvent, type UseMissive } from './use-missive.js';
export type { EventName as MissiveEventName, EventListener as MissiveEventListener } from './events.js';
export { useConversations, type UseConversations } from './use-conversations.js';
export type { ConversationListQuery, ConversationListState } from './conversation-list-model.js';
export { useConversation, type UseConversation } from './use-conversation.js';
export {
  isPending,
  type ChatMessage,
  type ConversationOptions,
  type ConversationState,
  type LoadStatus,
  type PendingFile,
  type PendingMessage,
} from './conversation-model.js';
export type { TypingUser } from './typing-indicators.js';
export type { TypingTimings } from './typing-sender.js';
export { isReadByAll, readersOf, type ReadMarker, type ReadMarkers } from './read-markers.js';
export { useNotifications, type UseNotifications } from './use-notifications.js';
export type { NotificationsQuery, NotificationsState } from './notifications-model.js';
export { useUnreadTotal, type UseUnreadTotal } from './use-unread-total.js';
export type { UnreadTotalState } from './unread-total-model.js';
export { usePresence, type PresenceByUser } from './use-presence.js';
export type { Presence } from './presence-store.js';
export type { EchoInfo, OwnReadEvent } from './local-echo.js';
