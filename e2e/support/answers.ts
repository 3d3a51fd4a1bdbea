import type { Page, Response } from '@playwright/test';

/** Every answer of the agent's API the page reads, as text (the event stream excepted: it never ends). */
export function recordAnswers(page: Page): () => Promise<string> {
  const bodies: Promise<string>[] = [];
  page.on('response', (r: Response) => {
    const u = new URL(r.url());
    if (!u.pathname.startsWith('/api/') || u.pathname === '/api/events') return;
    bodies.push(r.text().catch(() => ''));
  });
  return async () => (await Promise.all(bodies)).join('\n');
}
