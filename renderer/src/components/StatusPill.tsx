// Order / signal / tunnel / trading state as a coloured word (the word carries the meaning; colour only helps).
import { pillClass, stateLabel } from '../lib/status-tone.js';

export function StatusPill({ value, testId }: { value: string; testId?: string }) {
  return (
    <span className={pillClass(value)} data-testid={testId}>
      {stateLabel(value)}
    </span>
  );
}
