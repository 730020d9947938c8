// A message's files: an image as its thumbnail (a placeholder until the server has made it),
// opening a viewer; any other file as a chip with its size, which downloads it. A file on its
// way shows its upload's progress. Links come from the API as JSON (`attachmentLink`): an
// <img> cannot send the user's token, and a link lives five minutes.

import type { Attachment } from '@missive/client';
import { isPending, useMissive, type ChatMessage, type PendingFile } from '@missive/react';
import { useEffect, useState } from 'react';
import { useI18n } from '../i18n.js';
import { ImageViewer } from './ImageViewer.js';

/** The types the server makes thumbnails of. */
const PICTURES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];

export function Attachments({ message }: { message: ChatMessage }) {
  const { t } = useI18n();
  const attachments = message.attachments ?? [];
  if (attachments.length === 0) return null;
  const uploads = isPending(message) ? message.files : undefined;
  return (
    <ul className="attachments" aria-label={t.attachments}>
      {attachments.map((attachment, i) => {
        const upload = uploads?.[i];
        return (
          <li key={attachment.id}>
            {upload ? (
              <Uploading file={upload} />
            ) : attachment.thumbnail && attachment.width && attachment.height ? (
              <Picture attachment={attachment} image={{ width: attachment.width, height: attachment.height }} />
            ) : (
              <FileChip attachment={attachment} preparing={PICTURES.includes(attachment.contentType)} />
            )}
          </li>
        );
      })}
    </ul>
  );
}

function Uploading({ file }: { file: PendingFile }) {
  const { t } = useI18n();
  const percent = file.total > 0 ? Math.round((100 * file.sent) / file.total) : 100;
  return (
    <span className="file-chip uploading">
      <span className="file-name">{file.name}</span>
      <progress value={file.sent} max={file.total} aria-label={t.uploading(file.name, percent)} />
    </span>
  );
}

/** A link to the file (or its thumbnail), asked for once the component shows. */
function useLink(id: string, thumbnail: boolean): string | null {
  const { rest } = useMissive();
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let shown = true;
    rest
      .attachmentLink(id, { thumbnail })
      .then((link) => shown && setUrl(link.url))
      .catch(() => {});
    return () => {
      shown = false;
    };
  }, [rest, id, thumbnail]);
  return url;
}

function Picture({ attachment, image }: { attachment: Attachment; image: { width: number; height: number } }) {
  const { t } = useI18n();
  const [viewing, setViewing] = useState(false);
  const src = useLink(attachment.id, true);
  // The thumbnail's own size (at most 320 px), shown at most 240 px wide.
  const scale = Math.min(1, 320 / Math.max(image.width, image.height), 240 / image.width);
  const [width, height] = [Math.round(image.width * scale), Math.round(image.height * scale)];
  return (
    <>
      <button
        type="button"
        className="picture"
        aria-label={t.openImage(attachment.name)}
        style={{ width, aspectRatio: `${width} / ${height}` }}
        onClick={() => setViewing(true)}
      >
        {src && <img src={src} alt={attachment.name} />}
      </button>
      {viewing && <ImageViewer attachment={attachment} onClose={() => setViewing(false)} />}
    </>
  );
}

function FileChip({ attachment, preparing }: { attachment: Attachment; preparing: boolean }) {
  const { t } = useI18n();
  const { rest } = useMissive();
  const download = async () => {
    const link = await rest.attachmentLink(attachment.id);
    const anchor = document.createElement('a');
    anchor.href = link.url;
    anchor.rel = 'noopener';
    anchor.click();
  };
  // Its name is what it shows (so that a voice command naming what is seen finds it), with
  // what it does or why it is not a picture yet in words only a screen reader reads.
  return (
    <button type="button" className="file-chip" onClick={() => void download().catch(() => {})}>
      {!preparing && <span className="visually-hidden">{t.downloadFile} </span>}
      <span className="file-name">{attachment.name}</span>{' '}
      <span className="file-size">{t.fileSize(attachment.size)}</span>
      {preparing && <span className="visually-hidden">{t.previewPending}</span>}
    </button>
  );
}
