// The two listeners from outside: the control API refuses requests without the right token, Host or Origin;
// the webhook listener answers 404 to everything but POST /webhook/<id> and GET /health; bad alerts get a 4xx
// with a code within 50 ms; canary secrets never show up in logs, the database, or any HTTP answer.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { createBenchStrategy, spawnAgent, waitProcessed, type AgentProcess } from '../lib/agent-process.js';
import { runTag } from '../lib/alerts.js';
import { post } from '../lib/load.js';
import { dataDirFiles } from '../db/books.js';
import { check } from '../lib/report.js';
import { CODES } from '../../shared/codes.js';
import { suiteDataDir, type SuiteOptions, type SuiteResult } from './common.js';

interface Raw {
  status: number;
  text: string;
  ms: number;
}

function raw(port: number, method: string, p: string, headers: Record<string, string>, body?: string | Buffer): Promise<Raw> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: p, headers: { ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}), ...headers }, timeout: 5000 }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, ms: performance.now() - t0 }));
    });
    req.on('error', () => resolve({ status: 0, text: '', ms: performance.now() - t0 }));
    req.on('timeout', () => req.destroy());
    req.end(body);
  });
}

/** A body over the limit sent without content-length (chunked) on a raw socket: the agent must answer early and
 *  may close the connection while the body is still being written, so the answer is read off the socket as it
 *  comes (an HTTP client would report the reset and drop the answer). */
function streamedOversize(port: number, p: string, bytes: number): Promise<Raw> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    let text = '';
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, text: text.slice(text.indexOf('\r\n\r\n') + 4), ms: performance.now() - t0 });
      s.destroy();
    };
    const s = net.connect(port, '127.0.0.1', () => {
      s.write(`POST ${p} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
      const piece = Buffer.alloc(16 * 1024, 'a');
      let sent = 0;
      const pump = (): void => {
        while (!done && !s.destroyed && sent < bytes) {
          sent += piece.length;
          if (!s.write(`${piece.length.toString(16)}\r\n${piece.toString()}\r\n`)) return void s.once('drain', pump);
        }
        if (!done && !s.destroyed) s.write('0\r\n\r\n');
      };
      pump();
    });
    s.on('data', (d: Buffer) => {
      text += d.toString();
      if (/\r\n\r\n[\s\S]*\}/.test(text)) finish();
    });
    s.on('error', finish);
    s.on('close', finish);
    s.setTimeout(5000, finish);
  });
}

export async function securitySuite(o: SuiteOptions): Promise<SuiteResult> {
  const dataDir = suiteDataDir('vz-sec-', o.onDisk);
  const tag = runTag();
  const canaryPass = `CANARYpass${tag}Zq7`;
  const canaryWrong = `CANARYwrong${tag}Xy9`;
  const canaryRejected = `CANARYrej${tag}Wv3`;
  const answers: string[] = [];
  let agent: AgentProcess | undefined;
  const figures = [];
  try {
    agent = await spawnAgent({ dataDir });
    const a = agent;
    const strategy = await createBenchStrategy(a, { passphrase: canaryPass });
    const cp = a.info.controlPort;
    const wp = a.info.webhookPort;
    const host = `127.0.0.1:${cp}`;
    const keep = (r: Raw): Raw => (answers.push(r.text), r);

    // Control API.
    const apiPaths: [string, string, string?][] = [['GET', '/api/status'], ['GET', '/api/orders'], ['GET', '/api/strategies'], ['POST', '/api/strategies', '{"name":"x","accountIds":["a"]}'], ['PUT', '/api/trading-state', '{"state":"active"}'], ['POST', '/api/flatten', '{}'], ['GET', '/api/events']];
    let controlWrong = 0;
    let controlCount = 0;
    for (const [method, p, body] of apiPaths) {
      const ct: Record<string, string> = body ? { 'content-type': 'application/json' } : {};
      const cases: [Record<string, string>, number][] = [
        [{ host, ...ct }, 401],
        [{ host, authorization: 'Bearer wrong-token-0123456789abcdef', ...ct }, 401],
        [{ host, authorization: `Basic ${a.token}`, ...ct }, 401],
        [{ host: `evil.example:${cp}`, authorization: `Bearer ${a.token}`, ...ct }, 403],
        [{ host: `localhost.evil.example:${cp}`, authorization: `Bearer ${a.token}`, ...ct }, 403],
        [{ host, origin: 'http://evil.example', authorization: `Bearer ${a.token}`, ...ct }, 403],
        [{ host, origin: `http://127.0.0.1:${cp + 1}`, authorization: `Bearer ${a.token}`, ...ct }, 403],
      ];
      for (const [headers, expected] of cases) {
        controlCount++;
        const r = keep(await raw(cp, method, p, headers, body));
        if (r.status !== expected) {
          controlWrong++;
          o.log(`  control ${method} ${p} ${JSON.stringify(headers)} → ${r.status}, expected ${expected}`);
        }
      }
    }
    figures.push(check('control API without / with a wrong token, wrong Host, foreign Origin: answers other than 401/403', controlWrong, '', { max: 0, text: '0' }, `${controlCount} requests`));
    const external = Object.values(os.networkInterfaces())
      .flat()
      .filter((i) => i && i.family === 'IPv4' && !i.internal)
      .map((i) => i!.address);
    let exposed = 0;
    for (const address of external) {
      const reachable = await new Promise<boolean>((resolve) => {
        const s = net.connect(cp, address, () => (s.destroy(), resolve(true)));
        s.on('error', () => resolve(false));
        s.setTimeout(1000, () => (s.destroy(), resolve(false)));
      });
      if (reachable) exposed++;
    }
    figures.push(check('control listener reachable on a non-loopback address', exposed, '', { max: 0, text: '0' }, `tried ${external.join(', ') || 'no external address'}`));

    // Webhook listener: everything but the two routes is 404 and shows nothing of the UI or API.
    const wid = strategy.webhookId;
    const others: [string, string][] = [
      ['GET', '/'], ['GET', '/index.html'], ['GET', '/api/status'], ['GET', '/api/orders'], ['POST', '/api/strategies'], ['GET', '/assets/index.js'], ['GET', `/webhook/${wid}`], ['PUT', `/webhook/${wid}`],
      ['DELETE', `/webhook/${wid}`], ['PATCH', `/webhook/${wid}`], ['OPTIONS', `/webhook/${wid}`], ['HEAD', '/'], ['POST', '/health'], ['PUT', '/health'], ['POST', '/webhook'], ['POST', '/webhook/'], ['POST', `/webhook/${wid}/x`],
      ['POST', `/webhook/${wid}/../../api/status`], ['GET', '/../api/status'], ['GET', '/%2e%2e/api/status'], ['POST', `//webhook/${wid}`], ['GET', '/health/x'], ['TRACE', '/'], ['GET', '/control-token'], ['GET', '/agent.json'],
    ];
    let not404 = 0;
    let leaky = 0;
    for (const [method, p] of others) {
      const r = keep(await raw(wp, method, p, { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' }, method === 'GET' || method === 'HEAD' ? undefined : '{"ticker":"AAPL","action":"buy"}'));
      if (r.status !== 404) {
        not404++;
        o.log(`  webhook listener ${method} ${p} → ${r.status}`);
      }
      if (/<html|"items"|"signals"|webhookPort/i.test(r.text)) leaky++;
    }
    figures.push(check('webhook listener: other paths and methods answered with something other than 404', not404, '', { max: 0, text: '0' }, `${others.length} requests`));
    figures.push(check('webhook listener: answers showing UI or API content', leaky, '', { max: 0, text: '0' }));

    // Bad alerts: 4xx with a code within 50 ms.
    const good = (extra: Record<string, string> = {}) => JSON.stringify({ ticker: 'AAPL', action: 'buy', quantity: '1', price: '10', id: `${tag}-${Math.random()}`, ...extra });
    const bad: [string, () => Promise<Raw>, number][] = [
      ['wrong webhook id', () => raw(wp, 'POST', `/webhook/${'x'.repeat(24)}`, { 'content-type': 'application/json' }, good()), 404],
      ['wrong passphrase', () => raw(wp, 'POST', `/webhook/${wid}`, { 'content-type': 'application/json' }, good({ passphrase: canaryWrong })), 401],
      ['missing passphrase', () => raw(wp, 'POST', `/webhook/${wid}`, { 'content-type': 'application/json' }, good()), 401],
      ['declared body over the limit', () => raw(wp, 'POST', `/webhook/${wid}`, { 'content-type': 'application/json', 'content-length': String(1024 * 1024) }), 413],
      ['streamed body over the limit', () => streamedOversize(wp, `/webhook/${wid}`, 512 * 1024), 413],
      ['rejected body with the passphrase in it', () => raw(wp, 'POST', `/webhook/${wid}`, { 'content-type': 'application/json' }, `{"ticker":"AAPL","action":"moon","passphrase":"${canaryRejected}"}`), 400],
    ];
    let badWrong = 0;
    let slow = 0;
    const times: Record<string, number> = {};
    for (const [name, send, expected] of bad) {
      const r = keep(await send());
      times[name] = Math.round(r.ms * 100) / 100;
      let code: string | undefined;
      try {
        code = (JSON.parse(r.text) as { code?: string }).code;
      } catch {
        code = undefined;
      }
      if (r.status !== expected || !code || !(code in CODES)) {
        badWrong++;
        o.log(`  ${name} → ${r.status} ${r.text.slice(0, 120)}`);
      }
      if (r.ms > 50) slow++;
    }
    figures.push(check('wrong webhook id / passphrase, oversize body: answers without the expected 4xx and a documented code', badWrong, '', { max: 0, text: '0' }));
    figures.push(check('wrong webhook id / passphrase, oversize body: answers slower than 50 ms', slow, '', { max: 0, text: '0' }, JSON.stringify(times)));

    // Accepted alerts carry the real passphrase; their answers are kept too.
    for (let i = 0; i < 20; i++) keep(await raw(wp, 'POST', `/webhook/${wid}`, { 'content-type': 'application/json' }, good({ passphrase: canaryPass })));
    for (let i = 0; i < 5; i++) keep(await raw(wp, 'POST', `/webhook/${wid}`, { 'content-type': 'text/plain' }, `ticker=AAPL action=buy passphrase=${canaryPass}`));
    await waitProcessed(a, 30_000);
    for (const p of ['/api/status', '/api/signals?limit=500', '/api/orders?limit=500', '/api/strategies']) keep(await raw(cp, 'GET', p, { host, authorization: `Bearer ${a.token}` }));
    const res = await post(`http://127.0.0.1:${cp}/api/strategies`, '{}', 'application/json');
    answers.push(res.text);
  } finally {
    await agent?.stop();
  }
  // Canary search: logs, database and WAL, every answer.
  const canaries = [canaryPass, canaryWrong, canaryRejected];
  let inFiles = 0;
  const where: string[] = [];
  for (const f of dataDirFiles(dataDir)) {
    const bytes = fs.readFileSync(f);
    for (const c of canaries) {
      if (bytes.includes(c)) {
        inFiles++;
        where.push(`${f.slice(dataDir.length)}: ${c.slice(0, 12)}…`);
      }
    }
  }
  const inAnswers = answers.filter((t) => canaries.some((c) => t.includes(c))).length;
  figures.push(check('canary passphrases found in logs, database, WAL or data files', inFiles, '', { max: 0, text: '0' }, where.join('; ') || undefined));
  figures.push(check('canary passphrases found in HTTP answers', inAnswers, '', { max: 0, text: '0' }, `${answers.length} answers searched`));
  return { suite: 'security', figures };
}
