// An API failure in plain words: the agent's message, its fix and each field problem.
import { ApiHttpError } from '../api/client.js';

export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const e = error instanceof ApiHttpError ? error : undefined;
  return (
    <div className="error-box" role="alert">
      <strong>{title ?? 'Something went wrong'}</strong>
      <p>
        {e ? <code>{e.code}</code> : null} {(error as Error).message}
      </p>
      {e?.fix && <p className="muted">{e.fix}</p>}
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
