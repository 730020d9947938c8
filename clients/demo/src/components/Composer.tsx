// The message box: Enter sends, Shift+Enter goes to a new line; each keystroke tells the
// others that one is typing (throttled by the hook). Files come from the paperclip or are
// dropped on the box, and show as chips until sent; a message may be files alone. A send the
// tenant's moderation refused comes back here (`refill`) to be reworded. An "@" offers the
// members to mention (MentionSuggestions.tsx).

import type { Member } from '@missive/client';
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { useI18n } from '../i18n.js';
import { useMentionSuggestions } from './MentionSuggestions.js';

/** A message given back to the box: a send moderation refused, to be reworded. */
export interface Refill {
  body: string;
  files: File[];
}

export function Composer({
  onSend,
  onTyping = () => {},
  disabled,
  refill,
  members = [],
  label,
  options,
}: {
  onSend: (body: string, files: File[]) => void;
  /** Told of each keystroke; absent: typing is not signalled (a thread's box). */
  onTyping?: (active: boolean) => void;
  disabled?: boolean;
  /** Who may be mentioned: the conversation's other members. */
  members?: readonly Member[];
  /** Each new one replaces the draft (the box is the sender's until then). */
  refill?: Refill | null;
  /** The box's name; by default "Your message". */
  label?: string;
  /** What the send takes besides the text (a thread's "also send to the conversation"), under the box. */
  options?: ReactNode;
}) {
  const { t } = useI18n();
  const name = label ?? t.yourMessage;
  const [draft, setDraft] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [dropping, setDropping] = useState(false);
  const picker = useRef<HTMLInputElement>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (!refill) return;
    setDraft(refill.body);
    setFiles(refill.files);
    box.current?.focus();
  }, [refill]);
  // Where the caret goes once a chosen mention is in the draft (after the render that puts it there).
  const caret = useRef<number | null>(null);
  useLayoutEffect(() => {
    if (caret.current === null) return;
    box.current?.setSelectionRange(caret.current, caret.current);
    caret.current = null;
  }, [draft]);
  const mentions = useMentionSuggestions(members, (start, end, text) => {
    setDraft(draft.slice(0, start) + text + draft.slice(end));
    caret.current = start + text.length;
    onTyping(true);
  });
  const ready = !disabled && (draft.trim() !== '' || files.length > 0);
  const submit = () => {
    if (!ready) return;
    onSend(draft, files);
    setDraft('');
    setFiles([]);
    mentions.close();
  };
  const add = (more: FileList | null) => setFiles((held) => [...held, ...Array.from(more ?? [])].slice(0, 10));
  return (
    <form
      className={`composer${dropping ? ' dropping' : ''}`}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes('Files')) return;
        e.preventDefault();
        setDropping(true);
      }}
      onDragLeave={() => setDropping(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDropping(false);
        add(e.dataTransfer.files);
      }}
    >
      {files.length > 0 && (
        <ul className="pending-files" aria-label={t.filesToSend}>
          {files.map((file, i) => (
            <li key={`${file.name}-${i}`} className="file-chip">
              <span className="file-name">{file.name}</span>
              <span className="file-size">{t.fileSize(file.size)}</span>
              <button
                type="button"
                className="link small"
                aria-label={t.removeFile(file.name)}
                onClick={() => setFiles((held) => held.filter((_, j) => j !== i))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <input
        ref={picker}
        type="file"
        multiple
        hidden
        onChange={(e) => {
          add(e.target.files);
          e.target.value = '';
        }}
      />
      <button
        type="button"
        className="attach"
        aria-label={t.attach}
        title={`${t.attach} — ${t.dropFiles}`}
        disabled={disabled}
        onClick={() => picker.current?.click()}
      >
        <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
          <path
            d="M16.5 6.5 8.6 14.4a2 2 0 0 0 2.8 2.8l8.3-8.3a4 4 0 0 0-5.7-5.7l-8.6 8.6a6 6 0 0 0 8.5 8.5l7-7"
            fill="none"
            stroke="currentColor"
            strokeWidth="2"
            strokeLinecap="round"
            strokeLinejoin="round"
          />
        </svg>
      </button>
      {mentions.list}
      <textarea
        ref={box}
        {...mentions.boxProps}
        aria-label={name}
        placeholder={dropping ? t.dropFiles : name}
        title={t.enterToSend}
        rows={1}
        value={draft}
        maxLength={4000}
        onChange={(e) => {
          setDraft(e.target.value);
          onTyping(e.target.value !== '');
          mentions.track(e.target);
        }}
        // The caret moved (arrows, a click): the "@…" before it, if any, is another.
        onSelect={(e) => mentions.track(e.currentTarget)}
        onBlur={mentions.close}
        onKeyDown={(e) => {
          if (mentions.onKeyDown(e)) return;
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            submit();
          }
        }}
      />
      <button type="submit" className="primary" disabled={!ready}>
        {t.send}
      </button>
      {options}
    </form>
  );
}
