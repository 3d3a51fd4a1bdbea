// What to do next when a list is empty: the screen teaches the next step instead of showing nothing.
import type { ReactNode } from 'react';

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty" role="note">
      <strong>{title}</strong>
      {children && <div>{children}</div>}
    </div>
  );
}
