// The caller's sends not answered yet, or failed, as a view shows them: each a pending entry
// from the moment it is sent (id `pending:<clientMessageId>`), until the server answers (the
// stored message replaces it) or the user discards it after a failure.
//
// One for a conversation (conversation-model.ts) and one for each thread (thread-model.ts): a
// reply is sent, shown, retried and discarded as a message of the conversation is, only with
// its `parentId` (and `alsoInConversation`). The model that owns them holds the stored message
// when it comes, and publishes the entries with its messages.

import { newClientMessageId, type Message, type ReplyOptions } from '@missive/client';
import type { ConversationServices } from './services.js';
import { ECHO_INFO } from './local-echo.js';

/** A send not answered yet (`sending`) or that failed (`failed`, with its `error`). */
export interface PendingMessage extends Message {
  /** The send's idempotency key: `retry` and `discard` take it. */
  clientMessageId: string;
  pending: 'sending' | 'failed';
  error?: unknown;
  /** The files it sends, each with its upload's progress (its `attachments` show them meanwhile). */
  files?: readonly PendingFile[];
}

/** A file on its way: `sent` of `total` bytes stored; its upload id once stored (a retry does not upload it again). */
export interface PendingFile {
  file: Blob;
  name: string;
  sent: number;
  total: number;
  uploadId?: string;
}

export type ChatMessage = Message | PendingMessage;

export function isPending(message: ChatMessage): message is PendingMessage {
  return 'pending' in message;
}

export class PendingSends {
  /** In send order; a new array on each change (the owner publishes it as it is). */
  entries: readonly PendingMessage[] = [];

  /**
   * `changed` publishes the entries; `stored` hands over the message the server answered (the
   * entry is dropped when the owner calls `arrived` with it).
   */
  constructor(
    private readonly context: ConversationServices,
    private readonly who: string,
    private readonly changed: () => void,
    private readonly stored: (message: Message) => void,
  ) {}

  /**
   * Sends `body`, and `files` if any (each uploaded straight to storage, its progress in the
   * entry's `files`): the entry shows at once. Resolves with the stored message; on failure
   * the entry stays, `failed`, for `retry` (which uploads only the files not stored yet) or
   * `discard`, and the promise rejects with the `MissiveError`.
   */
  send(conversationId: string, body: string, files: readonly Blob[] = [], reply: ReplyOptions = {}): Promise<Message> {
    const clientMessageId = newClientMessageId();
    const pendingFiles: PendingFile[] = files.map((file) => ({
      file,
      name: (file as Blob & { name?: string }).name ?? 'file',
      sent: 0,
      total: file.size,
    }));
    const entry: PendingMessage = {
      id: `pending:${clientMessageId}`,
      tenantId: '',
      conversationId,
      senderId: this.context.identity.userId ?? '',
      senderName: '',
      body: files.length > 0 && body.trim() === '' ? null : body,
      clientMessageId,
      kind: 'user',
      createdAt: new Date(this.context.clock.now()).toISOString(),
      editedAt: null,
      deletedAt: null,
      pending: 'sending',
      ...(reply.parentId ? { parentId: reply.parentId } : {}),
      ...(reply.alsoInConversation ? { alsoInConversation: true } : {}),
      ...(files.length > 0
        ? {
            files: pendingFiles,
            attachments: pendingFiles.map((f, i) => ({
              id: `pending:${i}`,
              name: f.name,
              contentType: f.file.type || 'application/octet-stream',
              size: f.total,
            })),
          }
        : {}),
    };
    this.entries = [...this.entries, entry];
    this.changed();
    return this.deliver(entry);
  }

  /** Sends a failed entry again, with its `clientMessageId`: the server stores it once whatever the retries. */
  retry(clientMessageId: string): Promise<Message> {
    const entry = this.find(clientMessageId);
    if (!entry) return Promise.reject(new Error(`${this.who}: no pending message ${clientMessageId}`));
    return this.deliver(entry);
  }

  /** Forgets an entry (a failed send the user gave up). */
  discard(clientMessageId: string): void {
    const kept = this.entries.filter((p) => p.clientMessageId !== clientMessageId);
    if (kept.length === this.entries.length) return;
    this.entries = kept;
    this.changed();
  }

  /**
   * Drops the entries whose message arrived — by the ack, or another way first (a page, an
   * event), recognised by its `clientMessageId`. The owner publishes the change.
   */
  arrived(messages: readonly Message[]): void {
    const arrived = new Set(messages.map((m) => m.clientMessageId).filter((c) => c !== undefined));
    if (arrived.size > 0 && this.entries.some((p) => arrived.has(p.clientMessageId))) {
      this.entries = this.entries.filter((p) => !arrived.has(p.clientMessageId));
    }
  }

  private find(clientMessageId: string): PendingMessage | undefined {
    return this.entries.find((p) => p.clientMessageId === clientMessageId);
  }

  private async deliver(entry: PendingMessage): Promise<Message> {
    const { clientMessageId, conversationId } = entry;
    this.set(clientMessageId, { pending: 'sending', error: undefined });
    try {
      const attachments = await this.uploadFiles(conversationId, clientMessageId);
      const message = await this.context.client.send(conversationId, entry.body ?? '', {
        clientMessageId,
        ...(attachments.length > 0 ? { attachments } : {}),
        // The client writes only what says something (no `alsoInConversation: false`).
        parentId: entry.parentId ?? undefined,
        alsoInConversation: entry.alsoInConversation,
      });
      this.stored(message);
      // The other views (the conversation, its thread, the list) hear of it as of a member's.
      this.context.echo.emit('message.new', { type: 'message.new', conversationId, message, cursor: '' }, ECHO_INFO);
      return message;
    } catch (error) {
      this.set(clientMessageId, { pending: 'failed', error });
      throw error;
    }
  }

  /** Stores an entry's files not stored yet, one after the other; answers their upload ids. */
  private async uploadFiles(conversationId: string, clientMessageId: string): Promise<string[]> {
    const files = this.find(clientMessageId)?.files ?? [];
    const uploadIds: string[] = [];
    for (const [index, file] of files.entries()) {
      const uploadId =
        file.uploadId ??
        (await this.context.rest.upload(conversationId, file.file, {
          name: file.name,
          onProgress: (sent, total) => this.setFile(clientMessageId, index, { sent, total }),
        }));
      this.setFile(clientMessageId, index, { uploadId, sent: file.total });
      uploadIds.push(uploadId);
    }
    return uploadIds;
  }

  private setFile(clientMessageId: string, index: number, patch: Partial<PendingFile>): void {
    const entry = this.find(clientMessageId);
    if (!entry?.files) return;
    const files = entry.files.map((f, i) => (i === index ? { ...f, ...patch } : f));
    this.entries = this.entries.map((p) => (p === entry ? { ...p, files } : p));
    this.changed();
  }

  private set(clientMessageId: string, patch: Pick<PendingMessage, 'pending' | 'error'>): void {
    // Answered already (the message came another way): nothing to mark.
    if (!this.find(clientMessageId)) return;
    this.entries = this.entries.map((p) => (p.clientMessageId === clientMessageId ? { ...p, ...patch } : p));
    this.changed();
  }
}
