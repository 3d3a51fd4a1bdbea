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

/** Whether a process runs (a zombie not yet collected by its parent does not). */
export function processAlive(pid: number): boolean {
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

/**
 * Which process a pid is, beyond its number (pids are reused after a crash or a reboot): on Linux the boot and
 * the process's start time; undefined where that cannot be read (another platform, or the process is gone).
 */
function processIdentity(pid: number): string | undefined {
  try {
    const boot = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]; // field 22, after "pid (comm) "
    return startTime ? `${boot}:${startTime}` : undefined;
  } catch {
    return undefined;
  }
}

/** On Linux: whether the process could be an agent at all (a Node or Electron process); undefined elsewhere. */
function couldBeAgent(pid: number): boolean | undefined {
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    return /node|electron|viewzenix/i.test(cmdline);
  } catch {
    return undefined;
  }
}

/**
 * The lock's pid is the agent that wrote it: it runs, and it is the same process (its identity matches the one
 * written beside the pid), or, for a lock that carries none, a Node or Electron process. A pid reused by another
 * program after a crash or a reboot does not hold the lock.
 */
function lockHeldBy(pid: number, identity: string | undefined): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || !processAlive(pid)) return false;
  const now = processIdentity(pid);
  if (identity && now) return identity === now;
  return couldBeAgent(pid) ?? true;
}

const heldHere = new Set<string>();

/** One agent per data directory. A lock left by a crashed agent (its process is gone, or its pid now belongs to
 *  another program) is taken over. The lock holds the pid and, where the platform tells, the process's identity. */
const DATA_DIR_FIX = 'Choose another with --data-dir / VIEWZENIX_DATA_DIR, or make this one a directory you can write to.';

/**
 * Creates the data directory (0700) if it is missing. A path that cannot be one (a file is there) or that this user
 * cannot create is a DataDirError naming the directory and the fix: a start with a wrong --data-dir says so, instead
 * of a bare "EACCES: permission denied, mkdir …".
 */
export function ensureDataDir(dataDir: string): void {
  try {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'a file is in the way (it is not a directory)' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'the file system is read-only' : (err as Error).message;
    throw new DataDirError(`The data directory ${dataDir} cannot be created: ${why}. ${DATA_DIR_FIX}`);
  }
}

export function acquireLock(dataDir: string): () => void {
  const file = path.join(dataDir, 'agent.lock');
  if (heldHere.has(file)) {
    throw new DataDirError(`Another Viewzenix agent (pid ${process.pid}) is already running with the data directory ${dataDir}. Stop it first, or start this one with a different --data-dir.`);
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o600);
      const identity = processIdentity(process.pid);
      fs.writeSync(fd, identity ? `${process.pid}\n${identity}\n` : String(process.pid));
      fs.closeSync(fd);
      heldHere.add(file);
      return () => {
        heldHere.delete(file);
        try {
          if (fs.readFileSync(file, 'utf8').split('\n')[0]!.trim() === String(process.pid)) fs.unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new DataDirError(`Cannot create ${file}: ${(err as Error).message}. The data directory must be writable: ${DATA_DIR_FIX}`);
      const [pidText, identity] = fs.readFileSync(file, 'utf8').split('\n').map((l) => l.trim());
      const pid = Number(pidText);
      if (lockHeldBy(pid, identity || undefined)) {
        throw new DataDirError(
          `Another Viewzenix agent (pid ${pid}) is already running with the data directory ${dataDir}. Stop it first, or start this one with a different --data-dir. (If no agent runs, the pid belongs to another program: delete ${file}.)`,
        );
      }
      fs.rmSync(file, { force: true }); // stale: its process is gone, or the pid is another program's now
    }
  }
  throw new DataDirError(`Could not take the lock ${file}; remove it if no agent is running.`);
}

/** The token in <data-dir>/control-token, or undefined when there is none (a client reads it, never creates it: a
 *  token file the running agent does not use would only be refused). */
export function readControlToken(dataDir: string): string | undefined {
  const file = path.join(dataDir, 'control-token');
  try {
    const token = fs.readFileSync(file, 'utf8').trim();
    return token.length >= 32 ? token : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new DataDirError(`Cannot read ${file}: ${(err as Error).message}`);
    return undefined;
  }
}

export function loadControlToken(dataDir: string, override?: string): string {
  if (override) return override;
  const file = path.join(dataDir, 'control-token');
  const existing = readControlToken(dataDir);
  if (existing !== undefined) {
    fs.chmodSync(file, 0o600);
    return existing;
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
