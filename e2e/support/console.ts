// Collects the page's console errors. The one allowance: a 404 from an optional endpoint that this agent version
// may not have yet (the UI then shows "not available in this version"); Chromium logs such a fetch as an error.
import type { Page } from '@playwright/test';

export const OPTIONAL_ENDPOINTS = [/\/api\/notifications(\/|$)/, /\/api\/tunnel(\/|$)/, /\/api\/vault\/status$/, /\/api\/alerts\/check$/, /\/api\/accounts\/[^/]+\/(test|credentials)$/, /\/api\/signals\/simulate$/];

export function collectConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const url = m.location().url ?? '';
    const path = url ? new URL(url).pathname : '';
    if (/status of 404/.test(m.text()) && OPTIONAL_ENDPOINTS.some((re) => re.test(path))) return;
    errors.push(`${m.text()} ${url}`.trim());
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  return errors;
}
