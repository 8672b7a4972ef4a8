import type { ParsedObjects } from '../objectTypes';
import { ObjectEnvelope } from '../parseHelpers';
import { isRecord } from '../../records';

/** A CAPI Operator InfrastructureProvider: its watch-filter and its credentials Secret. */
export function parseInfrastructureProvider(
  o: ObjectEnvelope,
  out: ParsedObjects,
) {
  const { name, namespace, apiVersion, location, spec } = o;
  const args =
    isRecord(spec.manager) && isRecord(spec.manager.additionalArgs)
      ? spec.manager.additionalArgs
      : {};
  const wf = args['watch-filter'] ?? args['--watch-filter'];
  out.infrastructureProviders.push({
    namespace,
    name,
    apiVersion,
    location,
    watchFilter: typeof wf === 'string' ? wf : undefined,
    configSecret:
      isRecord(spec.configSecret) && typeof spec.configSecret.name === 'string'
        ? spec.configSecret.name
        : undefined,
  });
}
