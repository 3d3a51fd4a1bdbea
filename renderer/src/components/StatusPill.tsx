// Order / signal / tunnel / trading state as a coloured word (the word carries the meaning; colour only helps).
const TONE: Record<string, string> = {
  filled: 'good', done: 'good', up: 'good', active: 'good', connected: 'good', set: 'good',
  accepted: 'info', submitting: 'info', created: 'info', queued: 'info', processing: 'info', starting: 'info', partially_filled: 'info', cancel_pending: 'info',
  reducing: 'warn', degraded: 'warn', unknown: 'warn', denied: 'warn', expired: 'warn', canceled: 'muted', stopped: 'muted', 'not set': 'muted',
  rejected: 'bad', failed: 'bad', halted: 'bad', down: 'bad', error: 'bad', disconnected: 'bad',
};

export function StatusPill({ value, testId }: { value: string; testId?: string }) {
  return (
    <span className={`pill ${TONE[value] ?? 'muted'}`} data-testid={testId}>
      {value.replace(/_/g, ' ')}
    </span>
  );
}
