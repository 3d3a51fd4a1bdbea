// Requests started by the entry script, before the UI code has downloaded and parsed, so the agent answers them
// while the browser is still busy with JavaScript. The API client takes an early answer for the same path and
// token once; an answer nobody takes soon is dropped, so it can never show data older than a fresh request would.
const MAX_AGE_MS = 5_000;

interface Early {
  token: string;
  at: number;
  response: Promise<Response>;
}

const early = new Map<string, Early>();

export function preloadGet(path: string, token: string): void {
  const response = fetch(path, { headers: { authorization: `Bearer ${token}` } });
  // Marks the promise handled: a failure here is reported by whoever takes the answer, or by the fresh request.
  response.catch(() => undefined);
  early.set(path, { token, at: performance.now(), response });
}

/** The early answer for `path`, once, if it was asked with this token in the last few seconds. */
export function takePreloaded(path: string, token: string): Promise<Response> | undefined {
  const e = early.get(path);
  if (!e) return undefined;
  early.delete(path);
  return e.token === token && performance.now() - e.at <= MAX_AGE_MS ? e.response : undefined;
}
