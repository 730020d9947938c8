// Server frames and cursors for unit tests.

import { cursorAt } from '../../dist/ulid.js';

/** A cursor `ms` milliseconds after `base`, with `n` to tell apart cursors of one millisecond. */
export function cursor(base, ms, n = 0) {
  const time = cursorAt(base + ms).slice(0, 10);
  return time + n.toString(32).toUpperCase().padStart(16, '0');
}

export function message(conversationId, id, body, extra = {}) {
  return {
    id,
    tenantId: 't',
    conversationId,
    senderId: 'bob',
    senderName: 'Bob',
    body,
    kind: 'user',
    createdAt: new Date(0).toISOString(),
    editedAt: null,
    deletedAt: null,
    ...extra,
  };
}

export function messageNew(conversationId, c, body, extra = {}) {
  return { type: 'message.new', conversationId, message: message(conversationId, c, body, extra), cursor: c };
}
