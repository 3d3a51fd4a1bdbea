// Time left before a held order expires, as the Approvals page shows it.

/** "4:05" (minutes:seconds), "1:02:03" past an hour, "expired" at or after the expiry. */
export function countdown(expiresAt: string, nowMs: number): string {
  const left = Math.floor((Date.parse(expiresAt) - nowMs) / 1000);
  if (!Number.isFinite(left)) return '';
  if (left <= 0) return 'expired';
  const h = Math.floor(left / 3600);
  const m = Math.floor((left % 3600) / 60);
  const s = left % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Under this many seconds left the countdown is shown as urgent. */
export const URGENT_SECONDS = 30;

export function isUrgent(expiresAt: string, nowMs: number): boolean {
  return Date.parse(expiresAt) - nowMs < URGENT_SECONDS * 1000;
}
