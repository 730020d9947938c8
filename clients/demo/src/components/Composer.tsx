// The message box: Enter sends, Shift+Enter goes to a new line; each keystroke tells the
// others that one is typing (throttled by the hook).

import { useState } from 'react';
import { useI18n } from '../i18n.js';

export function Composer({
  onSend,
  onTyping,
  disabled,
}: {
  onSend: (body: string) => void;
  onTyping: (active: boolean) => void;
  disabled?: boolean;
}) {
  const { t } = useI18n();
  const [draft, setDraft] = useState('');
  const submit = () => {
    if (!draft.trim() || disabled) return;
    onSend(draft);
    setDraft('');
  };
  return (
    <form
      className="composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <textarea
        aria-label={t.yourMessage}
        placeholder={t.yourMessage}
        title={t.enterToSend}
        rows={1}
        value={draft}
        maxLength={4000}
        onChange={(e) => {
          setDraft(e.target.value);
          onTyping(e.target.value !== '');
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            submit();
          }
        }}
      />
      <button type="submit" className="primary" disabled={disabled || !draft.trim()}>
        {t.send}
      </button>
    </form>
  );
}
