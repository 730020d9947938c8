// The optional fields of a send, shared by the socket's `sendMessage` (connection.ts) and the
// REST `POST …/messages` (rest.ts): only those that say something are written, as the server
// refuses `alsoInConversation` without a `parentId` and an empty list of files means none.

/** What makes a send a reply in a thread. */
export interface ReplyOptions {
  /**
   * The message answered: the send is a reply in its thread. A reply to a reply joins the
   * thread of its first message (the stored reply's `parentId` is always that first message).
   */
  parentId?: string;
  /**
   * The reply shows in the conversation too (its history, unread count and preview); by
   * default a reply is in its thread only. Only with `parentId`.
   */
  alsoInConversation?: boolean;
}

export interface SendFields extends ReplyOptions {
  /** Files, by the ids `upload` answered (at most 10); the text may then be empty. */
  attachments?: string[];
}

/** The fields of `options` a send carries: those given, and `alsoInConversation` only when true. */
export function sendFields({ attachments, parentId, alsoInConversation }: SendFields): SendFields {
  return {
    ...(attachments?.length ? { attachments } : {}),
    ...(parentId ? { parentId } : {}),
    ...(alsoInConversation ? { alsoInConversation } : {}),
  };
}
