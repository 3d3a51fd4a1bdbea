// A real HTTP server on 127.0.0.1:0 that answers like the agent's control API: Bearer token on every
// /api call, GET|PUT /api/trading-state, GET /api/notifications and GET /api/accounts (what the test sets), and
// GET /api/events as server-sent events the test pushes.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultDesktopChannel } from '../../../shared/notify.js';

export interface FakeAgentServer {
  readonly origin: string;
  readonly token: string;
  tradingState: string;
  /** Why the global state was set, as GET /api/trading-state answers it (`reason`; null until set). */
  tradingReason: string | null;
  /** The accounts with a state of their own, as GET /api/trading-state answers them (`accounts`). */
  accountStates: Record<string, { state: string; reason: string | null }>;
  /** GET /api/notifications answers `{config: {desktop: notifyDesktop}, channels: []}` (the agent's default until set). */
  notifyDesktop: unknown;
  /** GET /api/accounts answers `{items: accounts}`. */
  accounts: { id: string; name: string }[];
  /** Paths answered 503 INTERNAL_ERROR instead (the agent failing to read them). */
  readonly failing: Set<string>;
  /** Holds the answers to a path until the returned function is called. */
  hold(path: string): () => void;
  readonly requests: { method: string; path: string; authorization: string | undefined; body: string }[];
  /** Sends one SSE message to every open /api/events stream. */
  push(event: Record<string, unknown>, eventName?: string): void;
  /** Ends every open event stream (the agent went away or restarted its listener). */
  dropStreams(): void;
  readonly streamCount: number;
  close(): Promise<void>;
}

export async function startFakeAgentServer(token = 'control-token-canary-7f3a'): Promise<FakeAgentServer> {
  const streams = new Set<ServerResponse>();
  const requests: FakeAgentServer['requests'] = [];
  const state: { tradingState: string; tradingReason: string | null; accountStates: FakeAgentServer['accountStates'] } = { tradingState: 'active', tradingReason: null, accountStates: {} };
  const view = (): string => JSON.stringify({ state: state.tradingState, reason: state.tradingReason, updatedAt: '2026-01-01T00:00:00.000Z', accounts: state.accountStates });
  const data: { notifyDesktop: unknown; accounts: { id: string; name: string }[] } = {
    notifyDesktop: defaultDesktopChannel(),
    accounts: [],
  };
  const failing = new Set<string>();
  const held = new Map<string, Promise<void>>();
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const path = req.url ?? '/';
    requests.push({ method: req.method ?? '', path, authorization: req.headers.authorization, body });
    if (path.startsWith('/api/') && req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'rejected', code: 'UNAUTHORIZED' }));
      return;
    }
    await held.get(path);
    if (failing.has(path)) {
      res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'error', code: 'INTERNAL_ERROR' }));
      return;
    }
    if (path === '/api/notifications' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ config: { desktop: data.notifyDesktop }, channels: [] }));
      return;
    }
    if (path === '/api/accounts' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: data.accounts.map((a) => ({ ...a, broker: 'paper', environment: 'paper' })) }));
      return;
    }
    if (path === '/api/trading-state' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(view());
      return;
    }
    if (path === '/api/trading-state' && req.method === 'PUT') {
      const parsed = JSON.parse(body) as { state?: unknown };
      if (parsed.state !== 'active' && parsed.state !== 'reducing' && parsed.state !== 'halted') {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'rejected', code: 'INVALID_STATE' }));
        return;
      }
      state.tradingState = parsed.state;
      res.writeHead(200, { 'content-type': 'application/json' }).end(view());
      return;
    }
    if (path === '/api/events' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(': connected\n\n');
      streams.add(res);
      res.on('close', () => streams.delete(res));
      return;
    }
    res.writeHead(404).end();
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    token,
    get tradingState() {
      return state.tradingState;
    },
    set tradingState(value: string) {
      state.tradingState = value;
    },
    get tradingReason() {
      return state.tradingReason;
    },
    set tradingReason(value: string | null) {
      state.tradingReason = value;
    },
    get accountStates() {
      return state.accountStates;
    },
    set accountStates(value: FakeAgentServer['accountStates']) {
      state.accountStates = value;
    },
    get notifyDesktop() {
      return data.notifyDesktop;
    },
    set notifyDesktop(value: unknown) {
      data.notifyDesktop = value;
    },
    get accounts() {
      return data.accounts;
    },
    set accounts(value: { id: string; name: string }[]) {
      data.accounts = value;
    },
    failing,
    hold(path) {
      let release = (): void => {};
      held.set(path, new Promise<void>((resolve) => (release = resolve)));
      return () => {
        held.delete(path);
        release();
      };
    },
    requests,
    push(event, eventName) {
      const frame = `${eventName === undefined ? '' : `event: ${eventName}\n`}data: ${JSON.stringify(event)}\n\n`;
      for (const res of streams) res.write(frame);
    },
    dropStreams() {
      for (const res of streams) res.end();
      streams.clear();
    },
    get streamCount() {
      return streams.size;
    },
    async close() {
      for (const res of streams) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
