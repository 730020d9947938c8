// Client-made identifiers.

/**
 * A fresh `clientMessageId` (the server's idempotency key for a send, 1..=64 characters): a
 * random UUID where the platform has one (browsers in secure contexts, Node ≥ 19), otherwise
 * 128 random-enough bits from Math.random.
 */
export function newClientMessageId(): string {
  const uuid = globalThis.crypto?.randomUUID?.();
  if (uuid) return uuid;
  let id = '';
  for (let i = 0; i < 4; i++)
    id += Math.floor(Math.random() * 2 ** 32)
      .toString(16)
      .padStart(8, '0');
  return id;
}
