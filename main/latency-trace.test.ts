import { afterAll, describe, expect, it, vi } from 'vitest';

describe('latency tracing (VIEWZENIX_TRACE_LATENCY=1)', () => {
  afterAll(() => {
    delete process.env.VIEWZENIX_TRACE_LATENCY;
    vi.resetModules();
  });

  it('times received → adapter call, split where another thread’s report arrives, and starts again on reset', async () => {
    process.env.VIEWZENIX_TRACE_LATENCY = '1';
    vi.resetModules();
    const t = await import('./latency-trace.js');
    const now = performance.timeOrigin + performance.now();
    // Received here (in-process listener): only the total.
    t.traceReceived('local');
    t.traceAdapterCall('o1', () => 'local');
    // Received in the webhook thread 30 ms ago, reported just now.
    t.traceReceivedAt([['threaded', now - 30]]);
    t.traceAdapterCall('o2', () => 'threaded');
    // An order whose alert was never traced (a reconciliation re-send) adds nothing.
    t.traceAdapterCall('o3', () => 'unknown');
    const l = t.latencyStatus().latency!;
    expect(l.receivedToAdapter.count).toBe(2);
    expect(l.receivedToAdapter.maxMs).toBeGreaterThanOrEqual(30);
    expect(l.receivedToPipeline).toMatchObject({ count: 1 });
    expect(l.receivedToPipeline.p50Ms).toBeGreaterThanOrEqual(30);
    expect(l.pipelineToAdapter.count).toBe(1);
    expect(l.pipelineToAdapter.p50Ms).toBeLessThan(l.receivedToPipeline.p50Ms);
    expect(t.resetLatency()).toBe(true);
    expect(t.latencyStatus().latency!.receivedToAdapter.count).toBe(0);
  });

  it('splits the pipeline step by step: each step from the mark before it, a skipped step left to the next, only up to the first call', async () => {
    process.env.VIEWZENIX_TRACE_LATENCY = '1';
    vi.resetModules();
    const t = await import('./latency-trace.js');
    const at = (): number => performance.timeOrigin + performance.now();
    const spend = (ms: number): void => {
      const end = performance.now() + ms;
      while (performance.now() < end);
    };
    const start = at();
    t.traceReceivedAt([['sig', start - 1]]);
    spend(20);
    t.traceStep('sig', 'copy');
    spend(50);
    t.traceStep('sig', 'plan'); // queue, slice and mark not marked: their time is the plan's
    spend(30);
    t.traceStep('sig', 'store');
    spend(10);
    t.traceAdapterCall('o1', () => 'sig');
    const total = at() - start;
    // A second leg of the same alert, and an alert never reported, add nothing.
    t.traceStep('sig', 'store');
    t.traceStep('other', 'copy');
    t.traceAdapterCall('o2', () => 'sig');
    const steps = t.latencyStatus().latency!.pipelineSteps;
    expect(Object.keys(steps)).toEqual(['copy', 'plan', 'store', 'call']);
    const ms = Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, v.p50Ms]));
    expect(Object.values(steps).map((v) => v.count)).toEqual([1, 1, 1, 1]);
    expect(ms.copy).toBeGreaterThanOrEqual(20);
    expect(ms.plan).toBeGreaterThanOrEqual(50);
    expect(ms.store).toBeGreaterThanOrEqual(30);
    expect(ms.call).toBeGreaterThanOrEqual(10);
    // The steps add up to the pipeline's part: report → call (each figure rounded to the microsecond, so the sum of
    // four may differ from the whole's by a few).
    expect(Math.abs(ms.copy! + ms.plan! + ms.store! + ms.call! - t.latencyStatus().latency!.pipelineToAdapter.p50Ms)).toBeLessThanOrEqual(0.0025);
    expect(ms.copy! + ms.plan! + ms.store! + ms.call!).toBeLessThanOrEqual(total);
    // Slower than 10 ms, and its longest part was the plan step.
    expect(t.latencyStatus().latency!.slowAlerts).toEqual({ overMs: 10, count: 1, byLongestPart: { plan: 1 } });
    t.resetLatency();
    expect(t.latencyStatus().latency!.pipelineSteps).toEqual({});
    expect(t.latencyStatus().latency!.slowAlerts).toEqual({ overMs: 10, count: 0, byLongestPart: {} });
  });

  it('counts the alerts slower than 10 ms by the longest part of their way, the wait for the report included', async () => {
    process.env.VIEWZENIX_TRACE_LATENCY = '1';
    vi.resetModules();
    const t = await import('./latency-trace.js');
    const at = (): number => performance.timeOrigin + performance.now();
    // Reported 30 ms after it was received, then planned and sent at once: the report was the long part.
    t.traceReceivedAt([['late-report', at() - 30]]);
    t.traceStep('late-report', 'copy');
    t.traceAdapterCall('o1', () => 'late-report');
    // Reported 20 ms after, but 25 ms in the store step.
    t.traceReceivedAt([['slow-store', at() - 20]]);
    t.traceStep('slow-store', 'copy');
    const end = performance.now() + 25;
    while (performance.now() < end);
    t.traceStep('slow-store', 'store');
    t.traceAdapterCall('o2', () => 'slow-store');
    // Fast: not counted.
    t.traceReceivedAt([['fast', at()]]);
    t.traceStep('fast', 'copy');
    t.traceAdapterCall('o3', () => 'fast');
    t.traceReceivedAt([['late-too', at() - 12]]);
    t.traceAdapterCall('o4', () => 'late-too');
    expect(t.latencyStatus().latency!.slowAlerts).toEqual({ overMs: 10, count: 3, byLongestPart: { reported: 2, store: 1 } });
  });

  it('follows at most 1,000 alerts step by step at once: a backlog (an alert storm) adds no marks past them', async () => {
    process.env.VIEWZENIX_TRACE_LATENCY = '1';
    vi.resetModules();
    const t = await import('./latency-trace.js');
    const now = performance.timeOrigin + performance.now();
    const ids = Array.from({ length: 1_001 }, (_, i) => `sig${i}`);
    t.traceReceivedAt(ids.map((id) => [id, now]));
    for (const id of ids) t.traceStep(id, 'copy');
    // The last one's copy was not marked: its whole pipeline counts as its call's step.
    t.traceAdapterCall('o-last', () => 'sig1000');
    expect(t.latencyStatus().latency!.pipelineSteps).toEqual({ call: expect.objectContaining({ count: 1 }) });
    // Once the first finishes, a new alert is followed again.
    t.traceAdapterCall('o-first', () => 'sig0');
    t.traceReceivedAt([['later', now]]);
    t.traceStep('later', 'copy');
    t.traceAdapterCall('o-later', () => 'later');
    expect(t.latencyStatus().latency!.pipelineSteps.copy).toMatchObject({ count: 2 });
  });

  it('the router times the broker call of an alert’s order with the alert it is given, without reading the order for it', async () => {
    process.env.VIEWZENIX_TRACE_LATENCY = '1';
    vi.resetModules();
    const t = await import('./latency-trace.js');
    const { harness } = await import('./orders/test-support/harness.js');
    const h = harness();
    try {
      h.router.register('acc1', h.paper());
      t.resetLatency();
      t.traceReceived('sig1');
      const get = h.orders.get.bind(h.orders);
      let readForTrace = 0;
      h.orders.get = (id: string) => {
        if (new Error().stack?.includes('traceAdapterCall')) readForTrace++;
        return get(id);
      };
      const o = await h.router.submit({ clientOrderId: 'vz-t1', symbol: 'AAPL', side: 'buy', type: 'limit', limitPrice: '100', quantity: '1', timeInForce: 'day' }, { accountId: 'acc1', signalId: 'sig1', leg: 'entry' });
      expect(o.status).not.toBe('rejected');
      expect(t.latencyStatus().latency!.receivedToAdapter.count).toBe(1);
      expect(readForTrace).toBe(0);
    } finally {
      h.close();
    }
  });

  it('summarises a histogram again only when it changed: the status can be polled often whatever the samples held', async () => {
    process.env.VIEWZENIX_TRACE_LATENCY = '1';
    vi.resetModules();
    const t = await import('./latency-trace.js');
    t.resetLatency();
    t.traceIntake([1, 2, 3], [4, 5, 6]);
    const sort = vi.spyOn(Array.prototype, 'sort');
    try {
      expect(t.latencyStatus().latency!.intakeCommitWait).toMatchObject({ count: 3, maxMs: 3 });
      const first = sort.mock.calls.length;
      expect(first).toBeGreaterThanOrEqual(2);
      sort.mockClear();
      expect(t.latencyStatus().latency!.intakeSyncWait).toMatchObject({ count: 3, maxMs: 6 });
      expect(sort).not.toHaveBeenCalled(); // nothing changed: nothing sorted
      t.traceIntake([9], []);
      expect(t.latencyStatus().latency!.intakeCommitWait).toMatchObject({ count: 4, maxMs: 9 });
      expect(sort).toHaveBeenCalledTimes(1); // only the histogram that grew
      sort.mockClear();
      t.resetLatency();
      t.traceIntake([7, 7, 7, 7], []);
      expect(t.latencyStatus().latency!.intakeCommitWait).toMatchObject({ count: 4, maxMs: 7 }); // same length, new samples
    } finally {
      sort.mockRestore();
    }
  });
});
