// Full-page screenshots of each screen, for review, under test-results/screenshots/.
import type { Page } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';

export const screenshotDir = path.resolve(import.meta.dirname, '..', '..', 'test-results', 'screenshots');

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}
