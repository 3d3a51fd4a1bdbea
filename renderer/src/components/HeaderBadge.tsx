// One badge of the header: its label above its value(s). Stacked, the badges leave the header's one line (1280 px)
// room for an account held by a state of its own beside the trading controls (styles.css .badge, e2e/ui-header.spec.ts).
import type { ReactNode } from 'react';

export function HeaderBadge({ label, ariaLabel, title, children }: { label: ReactNode; ariaLabel: string; title?: string; children: ReactNode }) {
  return (
    <div className="badge" aria-label={ariaLabel} title={title}>
      <span className="label">{label}</span>
      <span className="badge-values">{children}</span>
    </div>
  );
}
