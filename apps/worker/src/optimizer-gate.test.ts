// OptimizerGate with fake timers: an optimization runs only once no render has run for idleMs,
// or once it has waited maxDelayMs since it was queued, busy or not.
import { OptimizerGate } from './optimizer-gate';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

function gate() {
  return new OptimizerGate({ idleMs: 1000, maxDelayMs: 60_000 });
}

function settled(promise: Promise<void>): () => boolean {
  let done = false;
  void promise.then(() => (done = true));
  return () => done;
}

describe('OptimizerGate', () => {
  it('holds an optimization while renders run, and lets it go once they have been idle for idleMs', async () => {
    const g = gate();
    g.renderStarted();
    g.renderStarted();
    const admitted = settled(g.admit(Date.now()));
    g.renderEnded();
    await jest.advanceTimersByTimeAsync(5000);
    expect(admitted()).toBe(false); // one render still runs
    g.renderEnded();
    await jest.advanceTimersByTimeAsync(999);
    g.renderStarted(); // a render before the idle delay ran out
    g.renderEnded();
    await jest.advanceTimersByTimeAsync(999);
    expect(admitted()).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(admitted()).toBe(true);
  });

  it('lets an optimization go at once on an idle worker', async () => {
    const g = gate();
    await jest.advanceTimersByTimeAsync(1000);
    const admitted = settled(g.admit(Date.now()));
    await jest.advanceTimersByTimeAsync(0);
    expect(admitted()).toBe(true);
  });

  it('lets an optimization go once it has waited maxDelayMs since it was queued, however busy', async () => {
    const g = gate();
    g.renderStarted();
    const queuedAt = Date.now() - 50_000;
    const admitted = settled(g.admit(queuedAt));
    await jest.advanceTimersByTimeAsync(9_999);
    expect(admitted()).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(admitted()).toBe(true);
  });

  it('lets nothing more run once the worker closes: waiting and later optimizations are refused', async () => {
    const g = gate();
    g.renderStarted();
    const waiting = g.admit(Date.now());
    g.close();
    await expect(waiting).rejects.toThrow('closing');
    await expect(g.admit(0)).rejects.toThrow('closing');
  });
});
