// The staff messenger: the conversation list (searchable) beside the open conversation, and a
// dialog to start a new one.

import { useState } from 'react';
import { ChatLayout } from '../components/ChatLayout.js';
import { NewConversationDialog } from '../components/NewConversationDialog.js';
import { useI18n } from '../i18n.js';
import { navigate } from '../router.js';

export function Messenger({ me, selected }: { me: string; selected: string | null }) {
  const { t } = useI18n();
  const [creating, setCreating] = useState(false);

  return (
    <ChatLayout
      me={me}
      selected={selected}
      route="messages"
      title={t.conversations}
      headerAction={
        <button type="button" className="primary small" onClick={() => setCreating(true)}>
          {t.newConversation}
        </button>
      }
      emptyText={t.noConversations}
      pickText={t.pickConversation}
    >
      {creating && (
        <NewConversationDialog
          me={me}
          onClose={() => setCreating(false)}
          onCreated={(id) => {
            setCreating(false);
            navigate(me, 'messages', id);
          }}
        />
      )}
    </ChatLayout>
  );
}
