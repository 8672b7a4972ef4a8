import type { ParsedObjects } from '../objectTypes';
import { ObjectEnvelope, strMap } from '../parseHelpers';

/** A Namespace: its labels, for allowedNamespaces selectors. */
export function parseNamespace(o: ObjectEnvelope, out: ParsedObjects) {
  out.namespaces.set(o.name, strMap(o.meta.labels) ?? {});
}
