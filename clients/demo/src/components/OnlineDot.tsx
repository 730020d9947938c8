// A green dot for someone online, a grey one otherwise (nothing until known).

import type { Presence } from '@missive/react';
import { formatWhen } from '../format.js';
import { useI18n, type Dictionary, type Lang } from '../i18n.js';

function presenceLabel(presence: Presence, t: Dictionary, lang: Lang): string {
  if (presence.online) return t.online;
  return presence.lastSeenAt ? `${t.offline}, ${t.lastSeen(formatWhen(presence.lastSeenAt, lang))}` : t.offline;
}

export function OnlineDot({ presence }: { presence: Presence | undefined }) {
  const { t, lang } = useI18n();
  if (!presence) return null;
  const label = presenceLabel(presence, t, lang);
  return (
    <span
      className={`presence-dot ${presence.online ? 'on' : 'off'}`}
      role="img"
      aria-label={presence.online ? t.online : t.offline}
      title={label}
    />
  );
}

/** "Online", or "Offline, seen 14:02", in words. */
export function PresenceText({ presence }: { presence: Presence | undefined }) {
  const { t, lang } = useI18n();
  if (!presence) return null;
  return <span>{presenceLabel(presence, t, lang)}</span>;
}
