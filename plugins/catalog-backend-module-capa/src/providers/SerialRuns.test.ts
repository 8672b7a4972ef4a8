import { SerialRuns } from './SerialRuns';

describe('SerialRuns', () => {
  it('never overlaps runs, and folds the calls made during a run into one more run', async () => {
    const serial = new SerialRuns();
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const release: Array<() => void> = [];
    const task = async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      runs++;
      await new Promise<void>(r => release.push(r));
      active--;
    };
    const first = serial.run(task);
    const second = serial.run(task);
    const third = serial.run(task);
    expect(second).toBe(third);
    expect(runs).toBe(1);
    release.shift()!();
    await first;
    // The folded run starts after the first ends.
    await new Promise(r => setImmediate(r));
    expect(runs).toBe(2);
    release.shift()!();
    await second;
    expect(maxActive).toBe(1);
    expect(runs).toBe(2);
  });

  it('runs again after a failed run', async () => {
    const serial = new SerialRuns();
    await expect(
      serial.run(async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    let ran = false;
    await serial.run(async () => {
      ran = true;
    });
    expect(ran).toBe(true);
  });
});
