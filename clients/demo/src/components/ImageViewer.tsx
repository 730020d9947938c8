// An image full size, over the page: closed by its button, Escape or a click beside it.

import type { Attachment } from '@missive/client';
import { useMissive } from '@missive/react';
import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../i18n.js';

export function ImageViewer({ attachment, onClose }: { attachment: Attachment; onClose: () => void }) {
  const { t } = useI18n();
  const { rest } = useMissive();
  const dialog = useRef<HTMLDialogElement>(null);
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    dialog.current?.showModal();
    let shown = true;
    rest
      .attachmentLink(attachment.id)
      .then((link) => shown && setSrc(link.url))
      .catch(() => {});
    return () => {
      shown = false;
    };
  }, [rest, attachment.id]);
  return (
    <dialog
      ref={dialog}
      className="image-viewer"
      aria-label={t.imageViewer}
      onClose={onClose}
      onClick={(e) => e.target === dialog.current && dialog.current?.close()}
    >
      {src && <img src={src} alt={attachment.name} />}
      <form method="dialog">
        <button type="submit">{t.close}</button>
      </form>
    </dialog>
  );
}
