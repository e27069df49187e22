import { within } from './deadline';

describe('within', () => {
  it('answers with the promise when it settles in time, value or error', async () => {
    await expect(within(Promise.resolve(7), 1000, () => new Error('late'))).resolves.toBe(7);
    await expect(within(Promise.reject(new Error('own')), 1000, () => new Error('late'))).rejects.toThrow('own');
  });

  it('fails with the late error once the time is up, and a later rejection stays handled', async () => {
    let fail = (_: Error) => {};
    const slow = new Promise<never>((_, reject) => (fail = reject));
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await expect(within(slow, 20, () => new Error('late by 20 ms'))).rejects.toThrow('late by 20 ms');
      fail(new Error('after the deadline'));
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
