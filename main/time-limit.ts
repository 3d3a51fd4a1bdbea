// Waiting with a limit: the stop paths wait for threads and services, and none of them may hold a stop forever.

/**
 * True once `p` has resolved, false when `ms` passed first (`p` goes on; nothing here ends it); rejects as `p` does.
 * The timer keeps the process alive meanwhile, so the caller's next step runs whatever `p` does.
 */
export function finishesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
  });
  return Promise.race([p.then(() => true), late]).finally(() => clearTimeout(timer));
}
