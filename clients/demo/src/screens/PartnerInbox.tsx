// The partner's inbox: the conversations of their storefronts, newest activity first, with
// unread badges; the open one answered on the right.

import { ChatLayout } from '../components/ChatLayout.js';
import { useI18n } from '../i18n.js';

export function PartnerInbox({ me, selected }: { me: string; selected: string | null }) {
  const { t } = useI18n();
  return (
    <ChatLayout
      me={me}
      selected={selected}
      route="inbox"
      kind="storefront"
      title={t.inboxTitle}
      emptyText={t.inboxEmpty}
      pickText={t.pickStorefrontConversation}
    />
  );
}
