// Files in the data directory: the single-agent lock, agent.json, the control token (0600).
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

export class DataDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataDirError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed agent whose parent has not collected it yet (a shell, a supervisor restarting it at once) still has a
  // pid: on Linux its state says it is a zombie, no longer running.
  return !zombie(pid);
}

function zombie(pid: number): boolean {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false; // not Linux, or gone meanwhile: kill(0) decided
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3); // after "pid (comm) "
  return state === 'Z' || state === 'X';
}

const heldHere = new Set<string>();

/** One agent per data directory. A lock left by a crashed agent (its pid is gone) is taken over. */
export function acquireLock(dataDir: string): () => void {
  const file = path.join(dataDir, 'agent.lock');
  if (heldHere.has(file)) {
    throw new DataDirError(`Another Viewzenix agent (pid ${process.pid}) is already running with the data directory ${dataDir}. Stop it first, or start this one with a different --data-dir.`);
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o600);
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      heldHere.add(file);
      return () => {
        heldHere.delete(file);
        try {
          if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new DataDirError(`Cannot create ${file}: ${(err as Error).message}`);
      const pid = Number(fs.readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new DataDirError(`Another Viewzenix agent (pid ${pid}) is already running with the data directory ${dataDir}. Stop it first, or start this one with a different --data-dir.`);
      }
      fs.rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw new DataDirError(`Could not take the lock ${file}; remove it if no agent is running.`);
}

export function loadControlToken(dataDir: string, override?: string): string {
  if (override) return override;
  const file = path.join(dataDir, 'control-token');
  try {
    const token = fs.readFileSync(file, 'utf8').trim();
    if (token.length >= 32) {
      fs.chmodSync(file, 0o600);
      return token;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new DataDirError(`Cannot read ${file}: ${(err as Error).message}`);
  }
  const token = crypto.randomBytes(32).toString('base64url');
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return token;
}

export interface AgentInfo {
  pid: number;
  webhookPort: number;
  controlPort: number;
  uiUrl: string;
  webhookUrl: string;
  startedAt: string;
}

export function writeAgentInfo(dataDir: string, info: AgentInfo): void {
  const file = path.join(dataDir, 'agent.json');
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

export function removeAgentInfo(dataDir: string): void {
  fs.rmSync(path.join(dataDir, 'agent.json'), { force: true });
}

export function readAgentInfo(dataDir: string): AgentInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dataDir, 'agent.json'), 'utf8')) as AgentInfo;
  } catch {
    return undefined;
  }
}
