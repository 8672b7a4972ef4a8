import {
  DefaultNamespaceEntityPolicy,
  Entity,
  FieldFormatEntityPolicy,
  SchemaValidEntityPolicy,
} from '@backstage/catalog-model';
import {
  evaluateFleet,
  ManagementClusterStatus,
} from '@capa-portal/plugin-capa-common';
import { loadFleetFromDirectory } from '@capa-portal/plugin-capa-node';
import path from 'node:path';
import type { FleetReportResponse } from '@capa-portal/plugin-capa-node';

/** The demo fleet's report, as the capa backend would serve it. */
export async function demoReport(): Promise<FleetReportResponse> {
  const { input } = await loadFleetFromDirectory(
    // test-only helper: the repository's demo fleet, never part of a build
    // eslint-disable-next-line no-restricted-syntax
    path.resolve(__dirname, '../../../../examples/demo-fleet'),
  );
  const report = evaluateFleet(input);
  const sources: ManagementClusterStatus[] = report.managementClusters.map(
    m => ({
      ...m,
      source: { type: 'manifests', target: `clusters/${m.name}` },
      reachable: true,
      lastSync: '2026-11-22T00:00:00.000Z',
      lastAttempt: '2026-11-22T00:00:00.000Z',
      stale: false,
      objectCount: 1,
      problemCount: 0,
    }),
  );
  return { ...report, sources };
}

const policies = [
  new DefaultNamespaceEntityPolicy(),
  new FieldFormatEntityPolicy(),
  new SchemaValidEntityPolicy(),
];

/** Runs the catalog's own entity policies: throws with the catalog's message when the entity is invalid. */
export async function validateEntity(entity: Entity): Promise<void> {
  let current: Entity | undefined = JSON.parse(JSON.stringify(entity));
  for (const policy of policies) {
    current = await policy.enforce(current!);
  }
}
