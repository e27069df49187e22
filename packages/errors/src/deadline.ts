// A wait given a deadline: the promise's own outcome, or the error `late()` makes once `ms` have
// passed. The timer is cleared either way, and the promise's later outcome is left handled (the
// race subscribed to it), so a loser never surfaces as an unhandled rejection.

export function within<T>(promise: Promise<T>, ms: number, late: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
