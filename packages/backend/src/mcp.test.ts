/*
 * capa's actions through the real MCP endpoint (`@backstage/plugin-mcp-actions-backend`, streamable HTTP,
 * JSON-RPC), with the `backend.actions` and `mcpActions` sections of this repository's own app-config.yaml, so
 * the shipped configuration is what is tested. Expected verdicts come from examples/demo-fleet/README.md.
 */
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { parse } from 'yaml';
import capaPlugin from '@capa-portal/plugin-capa-backend';
import mcpActionsPlugin from '@backstage/plugin-mcp-actions-backend';

const ROOT = path.resolve(__dirname, '../../..');
const appConfig = parse(
  readFileSync(path.join(ROOT, 'app-config.yaml'), 'utf8'),
);

/** One JSON-RPC call; the stateless MCP transport answers as a server-sent event stream. */
async function mcp(server: any, method: string, params: object = {}) {
  const res = await request(server)
    .post('/api/mcp-actions/v1')
    .set('Authorization', mockCredentials.user.header())
    .set('Accept', 'application/json, text/event-stream')
    .set('Content-Type', 'application/json')
    .send({ jsonrpc: '2.0', id: 1, method, params });
  expect(res.status).toBe(200);
  const data = res.text
    .split('\n')
    .filter(line => line.startsWith('data: '))
    .map(line => JSON.parse(line.slice('data: '.length)));
  expect(data).toHaveLength(1);
  if (data[0].error) throw new Error(JSON.stringify(data[0].error));
  return data[0].result;
}

describe('MCP: capa actions with the shipped app-config', () => {
  let server: any;
  it('is enabled in the shipped app-config', () => {
    expect(appConfig.backend.actions.pluginSources).toContain('capa');
  });

  beforeAll(async () => {
    ({ server } = await startTestBackend({
      features: [
        capaPlugin,
        mcpActionsPlugin,
        mockServices.rootConfig.factory({
          data: {
            backend: { actions: appConfig.backend.actions },
            mcpActions: appConfig.mcpActions,
            capa: {
              fleetFile: path.join(ROOT, 'examples/demo-fleet/fleet.yaml'),
            },
          },
        }),
      ],
    }));
    // The scheduler reads both demo management clusters at start; ask only once they have been read.
    for (let i = 0; ; i++) {
      const res = await request(server)
        .get('/api/capa/management-clusters')
        .set('Authorization', mockCredentials.user.header());
      if (res.body.items?.every((m: any) => m.lastAttempt)) break;
      if (i === 200) throw new Error('the demo fleet was never read');
      await new Promise(r => setTimeout(r, 50));
    }
  });

  it('lists both of capa’s tools', async () => {
    const { tools } = await mcp(server, 'tools/list');
    const names = tools.map((t: { name: string }) => t.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'capa.get-aws-account-trust',
        'capa.list-capa-clusters',
      ]),
    );
    const trust = tools.find(
      (t: any) => t.name === 'capa.get-aws-account-trust',
    );
    expect(trust.inputSchema.required).toEqual(['accountId']);
    expect(trust.annotations).toMatchObject({ readOnlyHint: true });
  });

  it('answers get-aws-account-trust with the account’s verdict and failing check', async () => {
    const result = await mcp(server, 'tools/call', {
      name: 'capa.get-aws-account-trust',
      arguments: { accountId: '444444444444' },
    });
    expect(result.isError).toBeFalsy();
    const report = JSON.parse(result.content[0].text);
    // demo-fleet README: ml-sandbox's trust policy names a retired management account: broken by target-trust.
    expect(report).toMatchObject({
      accountId: '444444444444',
      name: 'ml-sandbox',
      verdict: 'broken',
    });
    expect(
      report.checks
        .filter((c: any) => c.status === 'fail')
        .map((c: any) => c.id),
    ).toContain('target-trust');
  });

  it('answers list-capa-clusters filtered by account', async () => {
    const result = await mcp(server, 'tools/call', {
      name: 'capa.list-capa-clusters',
      arguments: { accountId: '222222222222' },
    });
    const { clusters, totalCount } = JSON.parse(result.content[0].text);
    // demo-fleet README: staging (222222222222) holds checkout-staging and payments-staging-euw1, both configured.
    expect(totalCount).toBe(clusters.length);
    expect(
      clusters.map((c: any) => `${c.namespace}/${c.name}:${c.verdict}`).sort(),
    ).toEqual(
      expect.arrayContaining([
        'staging/checkout-staging:configured',
        'staging/payments-staging-euw1:configured',
      ]),
    );
  });

  it('refuses a malformed account id before the action runs', async () => {
    const result = await mcp(server, 'tools/call', {
      name: 'capa.get-aws-account-trust',
      arguments: { accountId: '4444' },
    }).catch(e => ({ isError: true, content: [{ text: String(e) }] }));
    expect(result.isError).toBe(true);
    expect(result.content[0].text).toMatch(/accountId/);
  });
});
