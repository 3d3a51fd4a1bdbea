// The default end-to-end self-check: GET <publicUrl>/health?probe=<nonce> through the tunnel, expecting this
// agent to echo the nonce. Throws HealthCheckFailed with plain words when the request does not arrive.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { HEALTH_PROBE_PARAM } from './health-echo.js';

export interface ProbeTarget {
  /** Where the TCP connection goes, e.g. http://127.0.0.1:4400 for a local tunnel server. */
  connectTo: string;
  /** Host header (and TLS server name) to send; the public URL's host when the target differs. */
  host: string;
}

export interface HealthProbeOptions {
  /** Default 10 s. */
  timeoutMs?: number;
  /**
   * Where to send the probe for a public URL. Default: the public URL itself. A test whose tunnel server hands
   * out unresolvable host names (http://<id>.lt.test) connects to the server's address and sends the Host.
   */
  resolveProbeTarget?: (publicUrl: string) => ProbeTarget;
}

export class HealthCheckFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HealthCheckFailed';
  }
}

export function createHealthProbe(options: HealthProbeOptions = {}): (publicUrl: string) => Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const resolve = options.resolveProbeTarget ?? ((publicUrl: string) => ({ connectTo: publicUrl, host: new URL(publicUrl).host }));
  return async (publicUrl) => {
    const nonce = randomBytes(18).toString('base64url');
    const target = resolve(publicUrl);
    const { status, body } = await get(target, `/health?${HEALTH_PROBE_PARAM}=${nonce}`, timeoutMs);
    if (status !== 200) {
      throw new HealthCheckFailed(`The public URL answered HTTP ${status} instead of this agent's health check; the tunnel does not reach the webhook listener.`);
    }
    let echoed: unknown;
    try {
      echoed = (JSON.parse(body) as Record<string, unknown>)[HEALTH_PROBE_PARAM];
    } catch {
      echoed = undefined;
    }
    if (echoed !== nonce) {
      throw new HealthCheckFailed('Something answered at the public URL, but not this agent (the health check was not echoed back).');
    }
  };
}

function get(target: ProbeTarget, path: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  const base = new URL(target.connectTo);
  const secure = base.protocol === 'https:';
  const hostname = target.host.replace(/:\d+$/, '');
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(
      {
        protocol: base.protocol,
        hostname: base.hostname,
        port: base.port || (secure ? 443 : 80),
        path,
        method: 'GET',
        headers: { host: target.host, accept: 'application/json', 'cache-control': 'no-cache' },
        ...(secure ? { servername: hostname } : {}),
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < 4096) body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', (err) => reject(new HealthCheckFailed(`The health check answer broke off (${err.message}).`)));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new HealthCheckFailed(`No answer through the tunnel within ${Math.round(timeoutMs / 1000)} s.`)));
    req.on('error', (err) =>
      reject(err instanceof HealthCheckFailed ? err : new HealthCheckFailed(`The public URL did not answer (${(err as NodeJS.ErrnoException).code ?? err.message}).`)),
    );
    req.end();
  });
}
