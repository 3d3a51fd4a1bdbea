// What the running agent tells us about itself: `<data-dir>/agent.json` (written at start, removed on clean
// exit) and `<data-dir>/control-token`. Read synchronously: both are tiny and read only while waiting.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AgentInfo {
  readonly pid: number;
  readonly webhookPort: number;
  readonly controlPort: number;
  readonly uiUrl: string;
}

const isPort = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0 && (v as number) <= 65535;

/** The agent.json contents, or null when it is missing, half-written or not of the documented shape. */
export function readAgentInfo(dataDir: string): AgentInfo | null {
  let raw: string;
  try {
    raw = readFileSync(join(dataDir, 'agent.json'), 'utf8');
  } catch {
    return null;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { pid, webhookPort, controlPort, uiUrl } = parsed as Record<string, unknown>;
  if (!Number.isInteger(pid) || (pid as number) <= 0) return null;
  if (!isPort(webhookPort) || !isPort(controlPort) || typeof uiUrl !== 'string') return null;
  return { pid: pid as number, webhookPort, controlPort, uiUrl };
}

/** The control token file, trimmed; null when it cannot be read. */
export function readControlToken(dataDir: string): string | null {
  try {
    const token = readFileSync(join(dataDir, 'control-token'), 'utf8').trim();
    return token === '' ? null : token;
  } catch {
    return null;
  }
}
