// Bounded concurrency for the storage writes of large batches and bulk jobs.

/** Runs `fn` over the items with at most `limit` in flight; rejects with the first error after all settle. */
export async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failure) throw failure.err;
}

/** Storage writes in flight at once for one batch or bulk job. */
export const STORAGE_PARALLEL = 32;
