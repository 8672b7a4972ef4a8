import { SharedFleetReportSource } from './SharedFleetReportSource';

describe('SharedFleetReportSource', () => {
  it('serves every provider of a cycle from one fetch, and fetches again after maxAge', async () => {
    let now = 0;
    const fetch = jest.fn(async () => ({ generatedAt: String(now) } as any));
    const shared = new SharedFleetReportSource(
      { fleetReport: fetch },
      { maxAgeMs: 1000, now: () => now },
    );
    await Promise.all([
      shared.fleetReport(),
      shared.fleetReport(),
      shared.fleetReport(),
    ]);
    expect(fetch).toHaveBeenCalledTimes(1);
    now = 999;
    await shared.fleetReport();
    expect(fetch).toHaveBeenCalledTimes(1);
    now = 1000;
    expect((await shared.fleetReport()).generatedAt).toBe('1000');
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('does not remember a failed fetch', async () => {
    const fetch = jest
      .fn()
      .mockRejectedValueOnce(new Error('ECONNREFUSED'))
      .mockResolvedValueOnce({ generatedAt: 'ok' });
    const shared = new SharedFleetReportSource(
      { fleetReport: fetch },
      { now: () => 0 },
    );
    await expect(shared.fleetReport()).rejects.toThrow('ECONNREFUSED');
    await expect(shared.fleetReport()).resolves.toEqual({ generatedAt: 'ok' });
  });
});
