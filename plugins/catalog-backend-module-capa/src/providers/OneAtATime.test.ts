import { OneAtATime } from './OneAtATime';

describe('OneAtATime', () => {
  it('runs one task at a time, in the order asked, and goes on after a failure', async () => {
    const queue = new OneAtATime();
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const task = (n: number, fail = false) =>
      queue.run(async () => {
        running++;
        most = Math.max(most, running);
        await new Promise(r => setImmediate(r));
        order.push(n);
        running--;
        if (fail) throw new Error(`task ${n}`);
        return n;
      });
    const results = await Promise.allSettled([task(1), task(2, true), task(3)]);
    expect(most).toBe(1);
    expect(order).toEqual([1, 2, 3]);
    expect(results.map(r => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
  });
});
