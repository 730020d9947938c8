// Mentions in a message's text: `<@userId>` tokens. The server lists in a message's `mentions`
// the members its tokens name (docs/protocol.md); the text keeps the tokens, for the screens to
// show as names. Here: the token's grammar, a text cut into words and mentions, and the
// "@…" being typed that the composer's suggestions complete.

/** A token as the server reads it: `<@` up to the next `>` (no `<` or `>` inside). */
const TOKEN = /<@([^<>]*)>/g;

export function mentionToken(userId: string): string {
  return `<@${userId}>`;
}

/** The text in pieces: plain strings, and the user ids of the tokens `mentioned` holds (others stay as typed). */
export function splitMentions(text: string, mentioned: ReadonlySet<string>): (string | { userId: string })[] {
  const parts: (string | { userId: string })[] = [];
  let from = 0;
  for (const match of text.matchAll(TOKEN)) {
    const userId = match[1] ?? '';
    if (!mentioned.has(userId)) continue;
    if (match.index > from) parts.push(text.slice(from, match.index));
    parts.push({ userId });
    from = match.index + match[0].length;
  }
  if (from < text.length) parts.push(text.slice(from));
  return parts;
}

/**
 * A text where there is no room for a chip (a conversation's preview, a notification): the
 * tokens of people `nameOf` knows become "@Name", the others stay as typed.
 */
export function readableMentions(text: string, nameOf: (userId: string) => string | undefined): string {
  return text.replace(TOKEN, (token, userId: string) => {
    const name = nameOf(userId);
    return name === undefined ? token : `@${name}`;
  });
}

/** The "@…" being typed just before the caret — at the start or after a space, so that an e-mail address is not one. */
export function mentionQuery(text: string, caret: number): { start: number; query: string } | null {
  const match = /(^|\s)@([^\s@<>]*)$/.exec(text.slice(0, caret));
  if (!match) return null;
  const query = match[2] ?? '';
  return { start: caret - query.length - 1, query };
}

/** Lower case, accents off: "É" finds "Émile", "bob" finds "Bob Durand". */
function folded(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Whether a person answers to what is typed after "@": a word of their name begins with it. */
export function matchesMention(name: string, query: string): boolean {
  const q = folded(query);
  return folded(name)
    .split(/\s+/)
    .some((word) => word.startsWith(q));
}
