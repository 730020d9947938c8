// An image full size, over the page (a modal dialog): closed by its button, Escape or a click
// beside it, focus back on the thumbnail that opened it.

import type { Attachment } from '@missive/client';
import { useMissive } from '@missive/react';
import { useEffect, useState } from 'react';
import { useI18n } from '../i18n.js';
import { ModalDialog } from './ModalDialog.js';

export function ImageViewer({ attachment, onClose }: { attachment: Attachment; onClose: () => void }) {
  const { t } = useI18n();
  const { rest } = useMissive();
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
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
    <ModalDialog className="image-viewer" label={t.imageViewer} onClose={onClose}>
      <div className="image-viewer-body">
        {src && <img src={src} alt={attachment.name} />}
        <form method="dialog">
          <button type="submit">{t.close}</button>
        </form>
      </div>
    </ModalDialog>
  );
}
