import { SlotGovernor } from './slot-governor';

describe('SlotGovernor', () => {
  const make = (waiting: number[]) => {
    const worker = { concurrency: 99, on: () => undefined };
    const seen = [...waiting];
    const governor = new SlotGovernor({ worker, base: 2, max: 4, waiting: () => Promise.resolve(seen.shift() ?? 0), everyMs: 1000 });
    return { worker, governor };
  };

  it('stays at the base until more interactive renders want a slot than it has, then opens one each, never past the maximum', async () => {
    const { worker, governor } = make([1, 2, 3, 7, 0, 1]);
    expect(worker.concurrency).toBe(2);
    await governor.adjust();
    expect(worker.concurrency).toBe(2);
    await governor.adjust();
    expect(worker.concurrency).toBe(2);
    await governor.adjust();
    expect(worker.concurrency).toBe(3);
    await governor.adjust();
    expect(worker.concurrency).toBe(4);
    await governor.adjust();
    expect(worker.concurrency).toBe(2);
    // Interactive renders running here count too: one waiting beside two running is three.
    governor.started('a', true);
    governor.started('b', true);
    governor.started('c', false);
    governor.started('a', true);
    await governor.adjust();
    expect(worker.concurrency).toBe(3);
    governor.ended('a');
    governor.ended('b');
    await governor.adjust();
    expect(worker.concurrency).toBe(2);
  });

  it('reports the slots it opened, the renders running on either lane, and its maximum', async () => {
    const { governor } = make([0, 5]);
    expect(governor.slots()).toEqual({ open: 2, busy: 0, max: 4 });
    governor.started('bulk-1', false);
    governor.started('bulk-2', false);
    governor.started('bulk-2', false);
    // A bulk backlog: both base slots busy, which is full, though max is 4.
    await governor.adjust();
    expect(governor.slots()).toEqual({ open: 2, busy: 2, max: 4 });
    await governor.adjust();
    expect(governor.slots()).toEqual({ open: 4, busy: 2, max: 4 });
    governor.ended('bulk-1');
    expect(governor.slots().busy).toBe(1);
  });

  it('stays at its base, and polls nothing, without a waiting count (base equals max)', async () => {
    const worker = { concurrency: 0, on: () => undefined };
    const governor = new SlotGovernor({ worker, base: 3, max: 3, everyMs: 1000 });
    await governor.adjust();
    governor.start();
    expect(governor.slots()).toEqual({ open: 3, busy: 0, max: 3 });
    governor.stop();
  });

  it('keeps the slots it had when the queue cannot be read', async () => {
    const worker = { concurrency: 0, on: () => undefined };
    const governor = new SlotGovernor({ worker, base: 1, max: 3, waiting: () => Promise.reject(new Error('redis down')), everyMs: 1000 });
    await expect(governor.adjust()).rejects.toThrow('redis down');
    expect(worker.concurrency).toBe(1);
  });
});
