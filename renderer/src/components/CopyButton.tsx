// Copies text to the clipboard and says so; falls back to selecting the text when the clipboard is refused.
import { useState } from 'react';

export function CopyButton({ text, label = 'Copy', testId }: { text: string; label?: string; testId?: string }) {
  const [done, setDone] = useState<'copied' | 'failed' | undefined>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setDone('copied');
    } catch {
      setDone('failed');
    }
    setTimeout(() => setDone(undefined), 2000);
  };
  return (
    <button type="button" className="btn small" onClick={() => void copy()} data-testid={testId}>
      {done === 'copied' ? 'Copied' : done === 'failed' ? 'Select and copy by hand' : label}
      <span className="sr-only" role="status">{done === 'copied' ? 'Copied to the clipboard' : ''}</span>
    </button>
  );
}
