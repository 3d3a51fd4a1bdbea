// Page navigation; the current page is marked for screen readers.
import { Link } from '../lib/router.js';

const PAGES: [string, string][] = [
  ['', 'Dashboard'],
  ['signals', 'Signals'],
  ['orders', 'Orders'],
  ['positions', 'Positions'],
  ['approvals', 'Approvals'],
  ['strategies', 'Strategies'],
  ['accounts', 'Accounts'],
  ['settings', 'Settings'],
];

export function Nav({ current }: { current: string }) {
  return (
    <nav className="nav" aria-label="Pages">
      {PAGES.map(([path, label]) => (
        <Link key={path} to={`/${path}`} aria-current={current === path ? 'page' : undefined} className="nav-link">
          {label}
        </Link>
      ))}
    </nav>
  );
}
