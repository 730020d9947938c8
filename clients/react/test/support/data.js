// Server-shaped values for the tests. Ids are ULID-like: fixed-width strings that sort in
// time order, as the server's do.

let counter = 0;

/** A message id that sorts after every earlier one (and before every later one). */
export function messageId(n) {
  return `01KM${String(n).padStart(22, '0')}`;
}

/** The ids of `messages`, in order. */
export const ids = (messages) => messages.map((m) => m.id);

/** The ids of messages `ns`. */
export const numbers = (...ns) => ns.map(messageId);

export function message(n, fields = {}) {
  return {
    id: messageId(n),
    tenantId: 'demo',
    conversationId: 'c1',
    senderId: 'bob',
    senderName: 'Bob',
    body: `message ${n}`,
    kind: 'user',
    createdAt: new Date(Date.parse('2026-11-24T09:00:00.000Z') + n * 1000).toISOString(),
    editedAt: null,
    deletedAt: null,
    ...fields,
  };
}

export function messageEvent(type, msg) {
  return { type, conversationId: msg.conversationId, message: msg, cursor: `cur-${++counter}` };
}

export function page(messages, { olderCursor = null, newerCursor = null } = {}) {
  return { messages, olderCursor, newerCursor };
}

/** A page of a thread, as `listReplies` answers it: its first message, then replies. */
export function threadPage(parent, replies, { olderCursor = null, newerCursor = null } = {}) {
  return { parent, messages: replies, olderCursor, newerCursor };
}

/** Message `n`, a reply in the thread of message `parentN` (in its thread only unless `alsoInConversation`). */
export function reply(n, parentN, fields = {}) {
  return message(n, { parentId: messageId(parentN), ...fields });
}

export function listItem(id, lastMessageN, fields = {}) {
  const last = message(lastMessageN, { conversationId: id });
  return {
    tenantId: 'demo',
    id,
    kind: 'direct',
    createdBy: 'me',
    createdAt: '2026-11-01T00:00:00.000Z',
    activity: last.id,
    lastActivityAt: last.createdAt,
    lastMessage: {
      id: last.id,
      senderId: last.senderId,
      senderName: last.senderName,
      body: last.body,
      kind: 'user',
      createdAt: last.createdAt,
      deleted: false,
    },
    participants: [
      { userId: 'me', name: 'Me' },
      { userId: 'bob', name: 'Bob' },
    ],
    messageCount: lastMessageN,
    unreadCount: 0,
    lastReadMessageId: last.id,
    ...fields,
  };
}

export function conversationDetails(id, members = ['me', 'bob'], fields = {}) {
  return {
    tenantId: 'demo',
    id,
    kind: 'direct',
    createdBy: 'me',
    createdAt: '2026-11-01T00:00:00.000Z',
    activity: messageId(0),
    lastActivityAt: '2026-11-01T00:00:00.000Z',
    participants: members.map((userId) => ({ userId, name: userId })),
    messageCount: 0,
    members: members.map((userId) => ({
      userId,
      name: userId,
      role: 'member',
      joinedAt: '2026-11-01T00:00:00.000Z',
      lastReadMessageId: null,
      lastReadAt: null,
    })),
    ...fields,
  };
}

export function notification(n, fields = {}) {
  return {
    tenantId: 'demo',
    id: `01KN${String(n).padStart(22, '0')}`,
    userId: 'me',
    type: 'event',
    title: `notification ${n}`,
    body: '',
    createdAt: new Date(Date.parse('2026-11-24T09:00:00.000Z') + n * 1000).toISOString(),
    readAt: null,
    ...fields,
  };
}

export function directoryUser(id, online, lastSeenAt = null) {
  return {
    tenantId: 'demo',
    id,
    name: id,
    locale: 'fr',
    role: 'member',
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-01T00:00:00.000Z',
    online,
    lastSeenAt,
  };
}
