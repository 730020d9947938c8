// A message's text with its mentions as "@Name" chips: a `<@userId>` token the server listed in
// the message's `mentions` (a member's), named from the conversation's members; any other
// token stays as it was typed. The reader's own mention stands out.

import type { Member } from '@missive/client';
import { splitMentions } from '../mentions.js';

export function MessageText({
  body,
  mentions,
  members,
  me,
}: {
  body: string;
  /** The message's `mentions`. */
  mentions: readonly string[];
  members: readonly Member[];
  me: string;
}) {
  if (mentions.length === 0) return <>{body}</>;
  return (
    <>
      {splitMentions(body, new Set(mentions)).map((part, i) => {
        if (typeof part === 'string') return part;
        // A member who has left since is still named by their id rather than lost.
        const name = members.find((m) => m.userId === part.userId)?.name ?? part.userId;
        return (
          <span key={i} className={`mention${part.userId === me ? ' me' : ''}`}>
            @{name}
          </span>
        );
      })}
    </>
  );
}
