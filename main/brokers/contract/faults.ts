// Fault switches shared by every fake broker server. A fault is armed for the next matching request(s);
// the fake's middleware consumes it. "Lost answer" faults let the broker process the request and then drop
// the answer: the case where a naive client re-sends and doubles the order.
import type { NextFunction, Request, Response } from 'express';

export type RequestFault =
  | 'timeout' // the request is never processed and never answered
  | 'connection_reset' // the socket is destroyed before processing
  | 'rate_limit' // 429 with Retry-After
  | 'server_error' // 5xx before processing
  | 'auth_error' // 401 as for a revoked key
  | 'lost_answer_timeout' // processed, then the answer never comes
  | 'lost_answer_reset' // processed, then the socket is destroyed instead of answering
  | 'slow'; // processed and answered, after `delayMs` (default 5 s)

/** What a request does at the broker; faults can target one kind. */
export type RequestOp = 'submit' | 'cancel' | 'query' | 'account' | 'any';

export interface FaultOptions {
  on?: RequestOp;
  /** Only a request to this path (HTTP fakes; the query string aside), e.g. '/v2/assets/AAPL': a test that means
   *  one read arms the fault for it alone, so a background request of the same kind (a reconciliation, a poll)
   *  cannot take it first. */
  path?: string;
  /** How many matching requests the fault hits (default 1). */
  count?: number;
  retryAfterSeconds?: number;
  /** Status for server_error (default 503). */
  status?: number;
  /** How long a `slow` request waits before it is processed (default 5,000 ms). */
  delayMs?: number;
}

/** Picks a fault (or none) for each request of one kind that no armed fault took: faults at a rate, not a count. */
export type FaultChooser = (op: RequestOp, path: string | undefined) => { fault: RequestFault; options?: FaultOptions } | undefined;

export interface FaultSwitches {
  /** Added to every HTTP answer. */
  latencyMs: number;
  /** Each stream update is sent twice. */
  duplicateUpdates: boolean;
  /** Stream updates of one order are sent newest first. */
  outOfOrderUpdates: boolean;
  /** Market orders fill in two parts. */
  partialFills: boolean;
  failNext(fault: RequestFault, options?: FaultOptions): void;
  /** Asks `choose` for each request no armed fault takes (undefined: none from now on). */
  chooseEach(choose: FaultChooser | undefined): void;
  /** How many armed faults no request has taken yet (one armed with a count counts until its last hit). */
  pending(): number;
  clear(): void;
}

interface Armed {
  fault: RequestFault;
  on: RequestOp;
  path?: string;
  remaining: number;
  retryAfterSeconds: number;
  status: number;
  delayMs: number;
}

export class FaultPlan implements FaultSwitches {
  latencyMs = 0;
  duplicateUpdates = false;
  outOfOrderUpdates = false;
  partialFills = false;
  private armed: Armed[] = [];
  private chooser: FaultChooser | undefined;

  failNext(fault: RequestFault, options: FaultOptions = {}): void {
    this.armed.push(armedFault(fault, options));
  }

  chooseEach(choose: FaultChooser | undefined): void {
    this.chooser = choose;
  }

  pending(): number {
    return this.armed.length;
  }

  clear(): void {
    this.armed = [];
    this.chooser = undefined;
    this.latencyMs = 0;
    this.duplicateUpdates = false;
    this.outOfOrderUpdates = false;
    this.partialFills = false;
  }

  /** Consumes the first armed fault that matches `op` (and `path`, for a fault armed for one path); with none, the
   *  chooser's pick, if any. */
  take(op: RequestOp, path?: string): Armed | undefined {
    const index = this.armed.findIndex((a) => (a.on === 'any' || a.on === op) && (a.path === undefined || a.path === path));
    if (index < 0) {
      const chosen = this.chooser?.(op, path);
      return chosen ? armedFault(chosen.fault, chosen.options) : undefined;
    }
    const armed = this.armed[index]!;
    armed.remaining -= 1;
    if (armed.remaining <= 0) this.armed.splice(index, 1);
    return armed;
  }
}

function armedFault(fault: RequestFault, options: FaultOptions = {}): Armed {
  return {
    fault,
    on: options.on ?? 'any',
    ...(options.path !== undefined ? { path: options.path } : {}),
    remaining: options.count ?? 1,
    retryAfterSeconds: options.retryAfterSeconds ?? 1,
    status: options.status ?? 503,
    delayMs: options.delayMs ?? 5_000,
  };
}

/** A seeded generator of numbers in [0, 1) (mulberry32: small, good enough to spread faults), so a run that found
 *  something can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultRenderers {
  /** Writes the broker's own error body for a status (429 / 5xx / 401). */
  error(res: Response, status: number, retryAfterSeconds?: number): void;
}

/** Express middleware that applies the plan to each request before the fake's routes. */
export function faultMiddleware(plan: FaultPlan, classify: (req: Request) => RequestOp, render: FaultRenderers) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const run = (): void => {
      const armed = plan.take(classify(req), req.path);
      if (!armed) return next();
      switch (armed.fault) {
        case 'timeout':
          return; // never answer; the client's timeout fires
        case 'connection_reset':
          req.socket.destroy();
          return;
        case 'rate_limit':
          res.setHeader('Retry-After', String(armed.retryAfterSeconds));
          return render.error(res, 429, armed.retryAfterSeconds);
        case 'server_error':
          return render.error(res, armed.status);
        case 'auth_error':
          return render.error(res, 401);
        case 'slow':
          setTimeout(next, armed.delayMs);
          return;
        case 'lost_answer_timeout':
        case 'lost_answer_reset': {
          // Let the route do its work, then swallow or break the answer.
          const reset = armed.fault === 'lost_answer_reset';
          res.end = ((..._args: unknown[]) => {
            if (reset) req.socket.destroy();
            return res;
          }) as Response['end'];
          return next();
        }
      }
    };
    if (plan.latencyMs > 0) setTimeout(run, plan.latencyMs);
    else run();
  };
}
