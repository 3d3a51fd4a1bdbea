// Page navigation; the current page is marked for screen readers.
import { Link } from '../lib/router.js';
import { PAGES } from '../lib/pages.js';

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
