import type { FleetInput, LiveEvidence } from '../types';
import { buildFleetContext, ParsedManagementCluster } from './context';
import type { ManagementClusterInput } from '../types';
import type { Engine } from './types';

/** The state of one evaluation: the fleet's context and empty memos. Throws when the input cannot be read. */
export function newEngine(
  input: FleetInput,
  live: LiveEvidence | undefined,
  now: Date,
  reuse?: (m: ManagementClusterInput) => ParsedManagementCluster | undefined,
): Engine {
  return {
    counter: { chains: 0, clusters: 0, identities: 0, accounts: 0 },
    fleet: buildFleetContext(input, live, reuse),
    hopCache: new Map(),
    chainEvalCache: new Map(),
    nsCache: new Map(),
    apiCheckMemo: new Map(),
    now,
  };
}
