// How the logger learns which strings to hide without the vault ever handing out a list of values:
// the logger registers a hook, and every value the vault reads or stores is passed to the hooks once.
// There is deliberately no "all known secret values" accessor.

export type RedactionHook = (value: string) => void;

/** Values shorter than this are not announced: redacting "1" or "abc" everywhere would mangle logs. */
export const MIN_REDACTABLE_LENGTH = 6;

const hooks = new Set<RedactionHook>();

/** Subscribe to secret values. Register before the vault is used; returns an unsubscribe function. */
export function registerRedactionHook(hook: RedactionHook): () => void {
  hooks.add(hook);
  return () => {
    hooks.delete(hook);
  };
}

/**
 * Passes a secret value to every registered hook. The vault calls it; other code that holds a secret that
 * did not come from the vault (a passphrase typed into a form, the control token) may call it too.
 */
export function registerSecretValue(value: string): void {
  if (typeof value !== 'string' || value.length < MIN_REDACTABLE_LENGTH) return;
  for (const hook of hooks) {
    try {
      hook(value);
    } catch {
      // a failing logger hook must never break reading a credential
    }
  }
}

/** A ready-made hook target for a logger: collects values and replaces them in text. */
export class SecretRedactor {
  private readonly values = new Set<string>();
  private pattern: RegExp | null = null;

  constructor(readonly replacement = '[redacted]') {}

  readonly add: RedactionHook = (value) => {
    if (value.length < MIN_REDACTABLE_LENGTH || this.values.has(value)) return;
    this.values.add(value);
    this.pattern = null;
  };

  redact(text: string): string {
    if (this.values.size === 0) return text;
    // Longest first, so a value that contains another is replaced whole.
    this.pattern ??= new RegExp(
      [...this.values]
        .sort((a, b) => b.length - a.length)
        .map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('|'),
      'g',
    );
    return text.replace(this.pattern, this.replacement);
  }
}
