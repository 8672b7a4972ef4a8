/*
 * The OpenAPI / Kubernetes `format`s the vendored CRDs use, registered with ajv so that it neither throws on
 * them nor needs `ajv-formats`. Deliberately close to what the API server accepts, and lenient where in doubt.
 */
import type Ajv from 'ajv';
import type { Format } from 'ajv';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

// RFC 3339 date-time, as Kubernetes' `metav1.Time` serialises it (fractional seconds optional).
const DATE_TIME =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt ]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
// Go's time.ParseDuration ("1h30m", "300ms", "0"), which metav1.Duration uses; ISO 8601 accepted leniently.
const GO_DURATION = /^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$/;
const ISO_DURATION =
  /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;
const BASE64 =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export const KNOWN_FORMATS: Record<string, Format> = {
  int32: {
    type: 'number',
    validate: (n: number) =>
      Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX,
  },
  // JavaScript numbers lose precision above 2^53; anything integral is accepted.
  int64: { type: 'number', validate: (n: number) => Number.isInteger(n) },
  float: { type: 'number', validate: (n: number) => Number.isFinite(n) },
  double: { type: 'number', validate: (n: number) => Number.isFinite(n) },
  byte: {
    type: 'string',
    validate: (s: string) => BASE64.test(s.replace(/\s+/g, '')),
  },
  'date-time': { type: 'string', validate: (s: string) => DATE_TIME.test(s) },
  date: { type: 'string', validate: (s: string) => DATE.test(s) },
  duration: {
    type: 'string',
    validate: (s: string) => GO_DURATION.test(s) || ISO_DURATION.test(s),
  },
};

/** Register the known formats, and accept-anything formats for every other name met in the schemas. */
export function registerFormats(ajv: Ajv, seen: Iterable<string> = []): void {
  for (const [name, def] of Object.entries(KNOWN_FORMATS)) {
    ajv.addFormat(name, def);
  }
  for (const name of seen) {
    if (!(name in KNOWN_FORMATS) && !ajv.formats[name])
      ajv.addFormat(name, true);
  }
}
