// The foot of the demo's forms: what is wrong with the input, a failure, the submit button and,
// once it worked, a short confirmation (a status, so a screen reader says it).

import { ErrorNote } from './ErrorNote.js';

export function FormFooter({
  problem = null,
  error,
  submit,
  busy,
  done = null,
}: {
  /** The input's problem, found before asking the server. */
  problem?: string | null;
  /** What the server or the network answered, `null` when nothing failed. */
  error: unknown;
  /** The submit button's text. */
  submit: string;
  busy?: boolean;
  /** The confirmation, `null` until the form has worked. */
  done?: string | null;
}) {
  return (
    <>
      {problem && (
        <p className="error-note" role="alert">
          {problem}
        </p>
      )}
      {error !== null && <ErrorNote error={error} />}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {submit}
        </button>
        {done && (
          <span className="ok" role="status">
            {done}
          </span>
        )}
      </div>
    </>
  );
}
