// Never a blank page: without a token, or with a refused one, the window says exactly what to do.
import { useEffect } from 'react';
import { forgetToken, takeToken, tokenFromHash } from '../api/token.js';

/** The token screen listens for the address the agent printed being pasted into this tab: only the hash changes,
 *  so the page does not load again. The token is taken (stored for the tab, removed from the address bar at once)
 *  and handed to `onToken`; without it the page loads again, now with the token stored. */
export function NoToken({ onToken }: { onToken?: (token: string) => void } = {}) {
  useEffect(() => {
    const take = () => {
      if (tokenFromHash(window.location.hash) === undefined) return;
      const token = takeToken();
      if (!token) return;
      if (onToken) onToken(token);
      else window.location.reload();
    };
    window.addEventListener('hashchange', take);
    take(); // a hash that arrived between the first read and this screen
    return () => window.removeEventListener('hashchange', take);
  }, [onToken]);
  return (
    <main className="centered">
      <h1>Viewzenix</h1>
      <div role="alert" className="error-box">
        <p>
          <strong>This window has no control token.</strong>
        </p>
        <p>
          Open the UI address the agent printed at start (it ends with <code>#token=…</code>), or run <code>viewzenix start</code> again to see it. The token is also in the file <code>control-token</code> in
          the agent's data directory.
        </p>
      </div>
    </main>
  );
}

export function BadToken() {
  return (
    <main className="centered">
      <h1>Viewzenix</h1>
      <div role="alert" className="error-box">
        <p>
          <strong>The agent refused this window's control token.</strong>
        </p>
        <p>
          The token changed (a new data directory or <code>VIEWZENIX_CONTROL_TOKEN</code>) or this tab kept an old one. Open the UI address the agent printed at start, which ends with <code>#token=…</code>.
        </p>
        <button
          type="button"
          className="btn"
          onClick={() => {
            forgetToken();
            window.location.reload();
          }}
        >
          Forget the old token
        </button>
      </div>
    </main>
  );
}

export function AgentDown({ message }: { message: string }) {
  return (
    <main className="centered">
      <h1>Viewzenix</h1>
      <div role="alert" className="error-box">
        <p>
          <strong>The agent does not answer.</strong> {message}
        </p>
        <p>Start it with <code>viewzenix start</code>; this window retries by itself.</p>
      </div>
    </main>
  );
}
