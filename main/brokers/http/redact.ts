// Credentials must never reach an error, a log line or the database. Every message an adapter builds from
// broker or transport text passes through here with the adapter's own secret values.

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    // Short values would blank ordinary words; real keys are long.
    if (secret.length < 4) continue;
    out = out.split(secret).join('***');
  }
  return out;
}
