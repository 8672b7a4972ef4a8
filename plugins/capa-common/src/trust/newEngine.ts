import type { FleetInput, LiveEvidence } from '../types';
import { buildFleetContext } from './context';
import type { Engine } from './types';

/** The state of one evaluation: the fleet's context and empty memos. Throws when the input cannot be read. */
export function newEngine(
  input: FleetInput,
  live: LiveEvidence | undefined,
  now: Date,
): Engine {
  return {
    fleet: buildFleetContext(input, live),
    hopCache: new Map(),
    chainEvalCache: new Map(),
    nsCache: new Map(),
    apiCheckMemo: new Map(),
    now,
  };
}
