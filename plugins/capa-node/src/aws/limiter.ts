/** Runs a task when a slot is free: at most `concurrency` tasks are running at any time. */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/**
 * A small FIFO concurrency limiter (no dependency). Tasks beyond `concurrency` wait in order; a task that
 * throws frees its slot like one that resolves.
 */
export function createLimiter(concurrency: number): Limiter {
  const limit = Math.max(1, Math.floor(concurrency) || 1);
  let active = 0;
  const queue: Array<() => void> = [];

  const release = () => {
    active--;
    const next = queue.shift();
    if (next) next();
  };

  return <T>(task: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const run = () => {
        active++;
        let result: Promise<T>;
        try {
          result = Promise.resolve(task());
        } catch (e) {
          result = Promise.reject(e);
        }
        result.then(
          value => {
            release();
            resolve(value);
          },
          error => {
            release();
            reject(error);
          },
        );
      };
      if (active < limit) run();
      else queue.push(run);
    });
}
