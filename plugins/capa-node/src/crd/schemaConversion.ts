/*
 * Converts a CRD version's `openAPIV3Schema` (Kubernetes structural schema, OpenAPI v3 dialect) into a JSON
 * Schema that ajv (draft-07) validates the way the Kubernetes API server does, as far as a static check can:
 *
 * - `nullable: true`                       -> the type also admits `null` (and `null` joins any `enum`).
 * - `x-kubernetes-int-or-string: true`     -> `type: [integer, string]` (the generated `anyOf` is dropped).
 * - `x-kubernetes-preserve-unknown-fields` -> the object keeps unknown fields (no `additionalProperties: false`).
 * - `x-kubernetes-embedded-resource: true` -> `apiVersion`, `kind` and `metadata` are admitted (and typed).
 * - `x-kubernetes-list-type: set`          -> `uniqueItems: true`.
 * - `x-kubernetes-validations` (CEL)       -> left out of the JSON Schema (counted); ./cel evaluates them.
 * - other `x-kubernetes-*` keys and `description` are dropped (smaller compiled validators).
 * - an object schema with `properties` and no `additionalProperties` gets `additionalProperties: false`,
 *   i.e. unknown fields are errors, as with `kubectl apply` (server-side field validation `Strict`). Objects with
 *   neither `properties` nor `additionalProperties` admit anything (the API server would prune their content).
 * - the top-level `metadata` (always `{type: object}` in a CRD) is replaced by a small ObjectMeta schema:
 *   `labels` and `annotations` must be string maps; name and scope are checked by the registry itself.
 * - `pattern`s that JavaScript cannot compile (Go RE2 syntax) are dropped and counted.
 */
import { isRecord } from '@capa-portal/plugin-capa-common';

/** What the conversion met and could not carry over; reported by `CrdSchemaRegistry.describe`. */
export interface ConversionNotes {
  /** Number of CEL rules (`x-kubernetes-validations`) left out of the JSON Schema (./cel evaluates them). */
  ignoredCelRules: number;
  /** Patterns dropped because JavaScript's RegExp cannot compile them. */
  droppedPatterns: string[];
  /** Every `format` name met, so the registry can make sure ajv knows each. */
  formats: Set<string>;
}

export function newConversionNotes(): ConversionNotes {
  return { ignoredCelRules: 0, droppedPatterns: [], formats: new Set() };
}

const OBJECT_META_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    generateName: { type: 'string' },
    namespace: { type: 'string' },
    labels: {
      type: ['object', 'null'],
      additionalProperties: { type: 'string' },
    },
    annotations: {
      type: ['object', 'null'],
      additionalProperties: { type: 'string' },
    },
    finalizers: { type: ['array', 'null'], items: { type: 'string' } },
    ownerReferences: { type: ['array', 'null'], items: { type: 'object' } },
    uid: { type: 'string' },
    resourceVersion: { type: 'string' },
    generation: { type: 'integer' },
    creationTimestamp: { type: ['string', 'null'] },
    deletionTimestamp: { type: ['string', 'null'] },
    deletionGracePeriodSeconds: { type: ['integer', 'null'] },
    managedFields: { type: ['array', 'null'] },
    selfLink: { type: 'string' },
  },
  // ObjectMeta has more fields than listed; the API server validates it separately. Stay lenient.
  additionalProperties: true,
};

type Schema = Record<string, any>;

/** A schema node: a mapping (the CRD's openAPIV3Schema and every schema under it). */
const isPlainObject = (v: unknown): v is Schema => isRecord(v);

function patternCompiles(p: string): boolean {
  try {
    // ajv is configured with `unicodeRegExp: false`, so compile without the `u` flag here too.
    // eslint-disable-next-line no-new
    new RegExp(p);
    return true;
  } catch {
    return false;
  }
}

function isIntOrStringAnyOf(anyOf: unknown): boolean {
  if (!Array.isArray(anyOf) || anyOf.length !== 2) return false;
  const types = anyOf.map(s => (isPlainObject(s) ? s.type : undefined)).sort();
  return types[0] === 'integer' && types[1] === 'string';
}

function addNull(type: unknown): unknown {
  if (type === undefined) return undefined;
  const list = Array.isArray(type) ? [...type] : [type];
  if (!list.includes('null')) list.push('null');
  return list;
}

/** Convert one schema node (recursively). `root` marks the CRD's top-level schema. */
export function convertOpenApiSchema(
  input: unknown,
  notes: ConversionNotes,
  root = false,
): Schema {
  if (!isPlainObject(input)) return {};
  const s = input;
  const out: Schema = {};

  for (const [key, value] of Object.entries(s)) {
    switch (key) {
      case 'description':
      case 'example':
      case 'externalDocs':
      case 'x-kubernetes-list-map-keys':
      case 'x-kubernetes-map-type':
      case 'x-kubernetes-preserve-unknown-fields':
      case 'x-kubernetes-int-or-string':
      case 'x-kubernetes-embedded-resource':
      case 'nullable':
        break;
      case 'x-kubernetes-validations':
        notes.ignoredCelRules += Array.isArray(value) ? value.length : 1;
        break;
      case 'x-kubernetes-list-type':
        if (value === 'set') out.uniqueItems = true;
        break;
      case 'properties':
        if (isPlainObject(value)) {
          out.properties = {};
          for (const [name, child] of Object.entries(value)) {
            out.properties[name] =
              root && name === 'metadata'
                ? OBJECT_META_SCHEMA
                : convertOpenApiSchema(child, notes);
          }
        }
        break;
      case 'items':
        out.items = Array.isArray(value)
          ? value.map(v => convertOpenApiSchema(v, notes))
          : convertOpenApiSchema(value, notes);
        break;
      case 'additionalProperties':
        out.additionalProperties =
          typeof value === 'boolean'
            ? value
            : convertOpenApiSchema(value, notes);
        break;
      case 'allOf':
      case 'anyOf':
      case 'oneOf':
        if (Array.isArray(value))
          out[key] = value.map(v => convertOpenApiSchema(v, notes));
        break;
      case 'not':
        out.not = convertOpenApiSchema(value, notes);
        break;
      case 'pattern':
        if (typeof value === 'string' && patternCompiles(value))
          out.pattern = value;
        else notes.droppedPatterns.push(String(value));
        break;
      case 'format':
        if (typeof value === 'string' && value !== '') {
          notes.formats.add(value);
          out.format = value;
        }
        break;
      default:
        if (!key.startsWith('x-')) out[key] = value;
    }
  }

  if (s['x-kubernetes-int-or-string'] === true) {
    out.type = ['integer', 'string'];
    if (isIntOrStringAnyOf(out.anyOf)) delete out.anyOf;
  }

  if (s['x-kubernetes-embedded-resource'] === true) {
    out.properties = {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: OBJECT_META_SCHEMA,
      ...(out.properties ?? {}),
    };
  }

  const preserveUnknown = s['x-kubernetes-preserve-unknown-fields'] === true;
  if (
    out.properties !== undefined &&
    out.additionalProperties === undefined &&
    !preserveUnknown
  ) {
    out.additionalProperties = false;
  }

  if (s.nullable === true) {
    if (out.type !== undefined) out.type = addNull(out.type);
    if (Array.isArray(out.enum) && !out.enum.includes(null))
      out.enum = [...out.enum, null];
  }

  return out;
}
