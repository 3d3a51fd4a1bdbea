// Starts a reference server (bench/reference/server.ts) as a child process and reads its port.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { distRoot } from './paths.js';
import { rssMb } from './agent-process.js';

export interface ReferenceProcess {
  port: number;
  child: ChildProcess;
  url(): string;
  rssMb(): number;
  stop(): Promise<void>;
}

export async function spawnReference(mode: 'bare' | 'sqlite', dbFile?: string): Promise<ReferenceProcess> {
  const child = spawn(process.execPath, [path.join(distRoot, 'bench', 'reference', 'server.js'), mode, ...(dbFile ? [dbFile] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`reference ${mode} exited with ${code}: ${err}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    port,
    child,
    url: () => `http://127.0.0.1:${port}/webhook/reference`,
    rssMb: () => rssMb(child.pid!),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
