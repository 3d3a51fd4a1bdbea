// An API failure in plain words: the agent's message (or the code's own sentence when the message is a raw rule
// detail), its fix when it helps, and each field problem.
import { ApiHttpError } from '../api/client.js';
import { errorWords } from '../lib/error-words.js';

export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const e = error instanceof ApiHttpError ? error : undefined;
  const w = errorWords({ code: e?.code, message: (error as Error).message, fix: e?.fix });
  return (
    <div className="error-box" role="alert">
      <strong>{title ?? 'Something went wrong'}</strong>
      <p>
        {w.code ? <code>{w.code}</code> : null} {w.message}
      </p>
      {w.detail && <p className="muted small">{w.detail}</p>}
      {w.fix && <p className="muted">{w.fix}</p>}
      {e?.errors && e.errors.length > 0 && (
        <ul>
          {e.errors.map((x, i) => (
            <li key={i}>
              <code>{x.path || '/'}</code> {x.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
