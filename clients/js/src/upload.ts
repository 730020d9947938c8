// A file's way to storage: the form the API signed (`POST /v1/conversations/{id}/uploads`)
// posted straight to its URL — S3, or the local runtime — never through the API. In a browser
// through XMLHttpRequest, the one way to hear of an upload's progress; elsewhere through fetch.

import { MissiveError } from './errors.js';
import type { UploadTicket } from './types.js';

export interface UploadOptions {
  /** The file's name; default: the `File`'s own, or `file`. */
  name?: string;
  /** Told of the bytes sent so far, out of `total`; last with `sent === total`. */
  onProgress?: (sent: number, total: number) => void;
  /** Aborts the upload: it rejects with `aborted`. */
  signal?: AbortSignal;
  /** A limit for the API's call that signs the form (not for the file's own transfer). */
  timeoutMs?: number;
}

/** Posts `file` with the form of `ticket`; rejects with `upload_failed` when storage refuses it. */
export async function storeFile(
  ticket: UploadTicket,
  file: Blob,
  options: UploadOptions,
  fetchImpl: (url: string, init: RequestInit) => Promise<Response>,
): Promise<void> {
  const form = new FormData();
  for (const [name, value] of Object.entries(ticket.fields)) form.append(name, value);
  form.append('file', file); // last: storage reads the fields before it
  const { onProgress, signal } = options;
  if (signal?.aborted) throw aborted(signal);
  const status =
    onProgress && typeof XMLHttpRequest !== 'undefined'
      ? await postWithProgress(ticket.url, form, onProgress, signal)
      : await fetchImpl(ticket.url, { method: 'POST', body: form, ...(signal ? { signal } : {}) }).then(
          (response) => response.status,
          (error: unknown) => {
            if (signal?.aborted) throw aborted(signal);
            throw new MissiveError('network_error', `uploading the file: ${String(error)}`, { cause: error });
          },
        );
  if (status < 200 || status > 299)
    throw new MissiveError('upload_failed', `storage refused the file (${status})`, { status });
  onProgress?.(file.size, file.size);
}

function postWithProgress(
  url: string,
  form: FormData,
  onProgress: (sent: number, total: number) => void,
  signal: AbortSignal | undefined,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.upload.onprogress = (event) => onProgress(event.loaded, event.total);
    request.onload = () => resolve(request.status);
    request.onerror = () => reject(new MissiveError('network_error', 'uploading the file: the network failed'));
    request.onabort = () => reject(aborted(signal));
    signal?.addEventListener('abort', () => request.abort(), { once: true });
    request.open('POST', url);
    request.send(form);
  });
}

function aborted(signal: AbortSignal | undefined): MissiveError {
  return new MissiveError('aborted', 'the upload was aborted', { cause: signal?.reason });
}
