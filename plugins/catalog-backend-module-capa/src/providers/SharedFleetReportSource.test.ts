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

  it('sends one conditional request per cycle; a provider holding another tag gets the whole report, fetched once more', async () => {
    const report = { generatedAt: 'now' } as any;
    const asked: Array<string | undefined> = [];
    const shared = new SharedFleetReportSource(
      {
        fleetReport: async () => report,
        fleetReportIfChanged: async etag => {
          asked.push(etag);
          return etag === 'W/"v2"' ? { etag } : { etag: 'W/"v2"', report };
        },
      },
      { now: () => 0 },
    );
    // Three providers of one cycle: two hold the current tag, one an old one.
    const [first, second, behind, alsoBehind] = await Promise.all([
      shared.fleetReportIfChanged('W/"v2"'),
      shared.fleetReportIfChanged('W/"v2"'),
      shared.fleetReportIfChanged('W/"v1"'),
      shared.fleetReportIfChanged(undefined),
    ]);
    expect(first).toEqual({ etag: 'W/"v2"' });
    expect(second).toEqual({ etag: 'W/"v2"' });
    expect(behind).toEqual({ etag: 'W/"v2"', report });
    expect(alsoBehind).toBe(behind);
    expect(asked).toEqual(['W/"v2"', undefined]);
  });
});
