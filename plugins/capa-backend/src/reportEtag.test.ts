/*
 * GET /api/capa/report's weak ETag (what the catalog module polls with): If-None-Match with the current tag
 * answers 304 without a body (RFC 9110 §13.1.2); the tag changes when a source's content changes or a source
 * starts failing, not when a refresh (a full LIST here: watch is off) merely finds the same objects again.
 */
import request from 'supertest';
import {
  capaClientFor,
  startCapaBackend,
  twoServersPerTest,
} from './__testUtils__/backend';
import { userHeader } from './__testUtils__/harness';

jest.setTimeout(60_000);

describe('GET /report with ETag', () => {
  const servers = twoServersPerTest();

  const report = (server: any, etag?: string) => {
    const r = request(server)
      .get('/api/capa/report')
      .set('Authorization', userHeader());
    return etag ? r.set('If-None-Match', etag) : r;
  };

  it('answers 304 to the current tag, and a new tag after a change or a failure', async () => {
    const { server, probe } = await startCapaBackend({ servers });
    await probe.refresh('mgmt-a', 'mgmt-b');
    const first = await report(server);
    expect(first.status).toBe(200);
    const tag = first.headers.etag;
    expect(tag).toMatch(/^W\/"/);
    const again = await report(server, tag);
    expect(again.status).toBe(304);
    expect(again.text ?? '').toBe('');

    // A refresh that reads exactly what is stored keeps the tag (the store keeps the generation)...
    await probe.refresh('mgmt-a', 'mgmt-b');
    expect((await report(server, tag)).status).toBe(304);
    // ...a changed object makes a new one.
    servers.a.addObjects([
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'new-team' },
      },
    ]);
    await probe.refresh('mgmt-a');
    const changed = await report(server, tag);
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(tag);

    servers.a.down('refuse');
    await probe.refresh('mgmt-a');
    const failing = await report(server, changed.headers.etag);
    expect(failing.status).toBe(200);
    expect(
      failing.body.sources.find((s: any) => s.name === 'mgmt-a').stale,
    ).toBe(true);
  });

  it("answers CapaBackendClient's conditional request over Node's fetch with a 304 (no report downloaded)", async () => {
    const { server, probe } = await startCapaBackend({ servers });
    await probe.refresh('mgmt-a', 'mgmt-b');
    const client = capaClientFor(server);
    const first = await client.fleetReportIfChanged();
    expect(first.report?.sources.map(s => s.name).sort()).toEqual([
      'mgmt-a',
      'mgmt-b',
    ]);
    expect(first.etag).toMatch(/^W\/"/);
    expect(await client.fleetReportIfChanged(first.etag)).toEqual({
      etag: first.etag,
    });
  });
});
