// Header badge: how many orders wait for the trader's approval; links to the Approvals page.
import { usePendingApprovals } from '../api/hooks.js';
import { Link } from '../lib/router.js';

export function ApprovalsBadge() {
  const q = usePendingApprovals();
  if (q.notAvailable || !q.data) return null;
  const n = q.data.pending;
  return (
    <div className="badge" aria-label="Approvals">
      <Link to="/approvals" className="small badge-link" data-testid="approvals-badge">
        <span className="label">Approvals</span> <span className={`pill ${n > 0 ? 'warn' : 'muted'}`} data-testid="approvals-count">{n}</span>
        <span className="sr-only">{n === 1 ? ' order waits for approval' : ' orders wait for approval'}</span>
      </Link>
    </div>
  );
}
