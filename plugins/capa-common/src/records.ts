/**
 * A JSON / YAML mapping: an object that is not null and not an array.
 *
 * @public
 */
export function isRecord(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
