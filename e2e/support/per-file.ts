// What the window specs share: one real agent per spec file, and moving between pages as a trader does.
import { test, expect, type Page } from '@playwright/test';
import { startAgent, type RunningAgent } from './agent.js';

/**
 * One real agent for the spec file: started before its first test, stopped after its last. Call it at the top level
 * of the file; the handle reads the running agent, so `agent.info`, `agent.api(…)` work inside the tests.
 */
export function agentForFile(opts: Parameters<typeof startAgent>[0] = {}): RunningAgent {
  let running: RunningAgent | undefined;
  test.beforeAll(async () => {
    running = await startAgent(opts);
  });
  test.afterAll(async () => {
    await running?.stop();
  });
  const current = (): RunningAgent => {
    if (!running) throw new Error('The agent of this spec file has not started (agentForFile is read in a test or hook only).');
    return running;
  };
  return {
    get dataDir() {
      return current().dataDir;
    },
    get info() {
      return current().info;
    },
    get token() {
      return current().token;
    },
    get process() {
      return current().process;
    },
    output: () => current().output(),
    api: <T = unknown>(method: string, p: string, body?: unknown) => current().api<T>(method, p, body),
    cli: (args: string[]) => current().cli(args),
    stop: () => current().stop(),
  };
}

/** Opens a page from the navigation and waits for its heading. */
export async function go(page: Page, nav: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: nav, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: nav })).toBeVisible();
}
