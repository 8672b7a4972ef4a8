/* Test helpers: a CapaFleetApi fake built from the real trust engine over the demo fleet. Not exported. */
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import type {
  AccountTrustResponse,
  FleetReport,
} from '@capa-portal/plugin-capa-common';
import { evaluateFleet } from '@capa-portal/plugin-capa-common';
import { loadFleetFromDirectory } from '@capa-portal/plugin-capa-node';
import type { CapaFleetApi } from '../lib/fleet';

export const DEMO_FLEET_DIR = resolvePackagePath(
  '@capa-portal/plugin-scaffolder-backend-module-capa',
  '../../examples/demo-fleet',
);

let cached: Promise<FleetReport> | undefined;

/** The demo fleet's report, as `GET /api/capa/report` would return it (without live AWS evidence). */
export function demoFleetReport(): Promise<FleetReport> {
  cached ??= loadFleetFromDirectory(DEMO_FLEET_DIR).then(({ input }) =>
    evaluateFleet(input, undefined, { now: new Date('2026-01-01T00:00:00Z') }),
  );
  return cached;
}

export function accountTrustOf(
  report: FleetReport,
  accountId: string,
): AccountTrustResponse {
  const account = report.accounts.find(a => a.accountId === accountId);
  if (!account)
    throw Object.assign(new Error(`account ${accountId} not found`), {
      name: 'NotFoundError',
    });
  return {
    account,
    clusters: report.clusters.filter(c => c.accountId === accountId),
    identities: report.identities.filter(i => i.accountId === accountId),
    generatedAt: report.generatedAt,
    live: false,
    stale: false,
  };
}

/** A fake capa backend client over a report (the demo fleet's unless given). */
export function fakeFleetApi(report?: FleetReport): CapaFleetApi & {
  fleetReport: jest.Mock;
  verifyAccount: jest.Mock;
  accountTrust: jest.Mock;
} {
  const get = () => (report ? Promise.resolve(report) : demoFleetReport());
  return {
    fleetReport: jest.fn(async () => ({ ...(await get()), sources: [] })),
    verifyAccount: jest.fn(async (id: string) => ({
      ...accountTrustOf(await get(), id),
      live: true,
    })),
    accountTrust: jest.fn(async (id: string) =>
      accountTrustOf(await get(), id),
    ),
  };
}
