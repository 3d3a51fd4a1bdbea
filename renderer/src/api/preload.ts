// Requests started by the entry script, before the UI code has downloaded and parsed, so the agent answers them
// while the browser is still busy with JavaScript. The API client takes an early answer for the same path and
// token once; an answer nobody takes soon is dropped, so it can never show data older than a fresh request would.
// The entry script may also read the answer's body itself (to paint the first rows before React boots, see
// early-orders.ts); the app then starts from that same body instead of asking again.
const MAX_AGE_MS = 5_000;

interface Early {
  token: string;
  at: number;
  response: Promise<Response>;
  /** The parsed body of a successful answer; undefined for a failed one. */
  body: Promise<unknown>;
  /** Set once the body has been read. */
  arrived?: { body: unknown };
}

const early = new Map<string, Early>();

export function preloadGet(path: string, token: string): void {
  const response = fetch(path, { headers: { authorization: `Bearer ${token}` } });
  // Marks the promise handled: a failure here is reported by whoever takes the answer, or by the fresh request.
  response.catch(() => undefined);
  // A copy of the body, cloned before anyone else can read the answer (handlers run in the order they were added).
  const body = response.then((r) => (r.ok ? (r.clone().json() as Promise<unknown>) : undefined)).catch(() => undefined);
  const entry: Early = { token, at: performance.now(), response, body };
  void body.then((b) => {
    if (b !== undefined) entry.arrived = { body: b };
  });
  early.set(path, entry);
}

function fresh(path: string, token: string): Early | undefined {
  const e = early.get(path);
  return e && e.token === token && performance.now() - e.at <= MAX_AGE_MS ? e : undefined;
}

/** The early answer for `path`, once, if it was asked with this token in the last few seconds. */
export function takePreloaded(path: string, token: string): Promise<Response> | undefined {
  const e = fresh(path, token);
  early.delete(path);
  return e?.response;
}

/** The parsed body of the early answer for `path` when it succeeds (undefined otherwise); the answer stays
 *  available to takePreloaded. */
export function preloadedBody(path: string, token: string): Promise<unknown> {
  return fresh(path, token)?.body ?? Promise.resolve(undefined);
}

/** The body of the early answer for `path`, once, if it has already arrived: the caller starts from it, and
 *  nobody asks again. */
export function takeArrivedBody(path: string, token: string): { body: unknown } | undefined {
  const e = fresh(path, token);
  if (!e?.arrived) return undefined;
  early.delete(path);
  return e.arrived;
}
