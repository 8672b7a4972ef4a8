/*
 * CRD schema validation for the manifests capa-portal reads (GitOps folders, live clusters) and generates
 * (scaffolder). Schemas come from the vendored upstream CRDs in `<package>/crds` (a byte-for-byte copy of
 * `../shared/crds`): CAPA serves only v1beta2, CAPI serves v1beta1 (deprecated) and v1beta2.
 *
 * - Every CRD is parsed once; validators are compiled lazily, once per group/version/kind, and cached, so
 *   validating thousands of objects costs one compile per GVK.
 * - CEL rules (`x-kubernetes-validations`) are evaluated too (./cel: compiled once per GVK, transition rules
 *   and rules calling unsupported Kubernetes extension functions skipped with the reason, see `describe`).
 *   Admission webhooks and defaulting are not run.
 */
import fs from 'fs';
import path from 'path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { parseAllDocuments } from 'yaml';
import {
  ConversionNotes,
  convertOpenApiSchema,
  newConversionNotes,
} from './schemaConversion';
import { registerFormats } from './formats';
import { isRecord, splitApiVersion } from '@capa-portal/plugin-capa-common';
import {
  compileCelRules,
  evaluateCelRules,
  type CompiledCelRules,
  type SkippedCelRule,
} from './cel';
import { formatPath } from './fieldPath';

/** @public */
export type CrdScope = 'Namespaced' | 'Cluster';

/**
 * One API version of one CRD.
 *
 * @public
 */
export interface CrdVersionInfo {
  group: string;
  kind: string;
  plural: string;
  version: string;
  /** `group/version` as written in `apiVersion`. */
  apiVersion: string;
  served: boolean;
  storage: boolean;
  deprecated: boolean;
  deprecationWarning?: string;
  scope: CrdScope;
  /** File the CRD was read from, when read from a directory. */
  source?: string;
}

/**
 * One CRD (all its versions).
 *
 * @public
 */
export interface CrdInfo {
  name: string;
  group: string;
  kind: string;
  plural: string;
  scope: CrdScope;
  versions: CrdVersionInfo[];
  source?: string;
}

/** @public */
export interface CrdValidationError {
  /** Dotted field path, e.g. `spec.identityRef.kind`, `spec.addons[0].name`, `metadata.name`. */
  path: string;
  message: string;
  /** Set when a CEL rule (`x-kubernetes-validations`) of the CRD failed: the rule's expression. */
  rule?: string;
}

/** @public */
export type CrdValidationReason = 'unknown-kind' | 'unserved-version';

/** @public */
export type CrdValidationResult =
  | {
      ok: true;
      /** e.g. a served but deprecated version (CAPI v1beta1). */
      warnings?: string[];
    }
  | {
      ok: false;
      errors: CrdValidationError[];
      /**
       * Set when the object was not schema-validated at all:
       * `unknown-kind`: no vendored CRD has this group/kind (Namespace, Secret, InfrastructureProvider, ...);
       *   the caller decides whether that matters.
       * `unserved-version`: the CRD is known but this version is not served (CAPA v1beta1, v1alpha3, v1alpha4).
       * Absent: the object was validated and has errors.
       */
      reason?: CrdValidationReason;
      /** With `unserved-version`: the versions the CRD does serve (storage version first). */
      servedVersions?: string[];
      warnings?: string[];
    };

/** @public */
export interface CrdValidateOptions {
  /** Namespaced kinds must carry `metadata.namespace` (false: GitOps tools often set it). Default false. */
  requireNamespace?: boolean;
  /** Report unknown fields as errors, as `kubectl apply` (strict field validation) does. Default true. */
  rejectUnknownFields?: boolean;
  /** Cap on errors per object. Default 50. */
  maxErrors?: number;
}

interface Entry {
  info: CrdVersionInfo;
  openApiSchema: unknown;
}

const DNS1123_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const PACKAGE_NAME = '@capa-portal/plugin-capa-node';

function gk(group: string, kind: string): string {
  return `${group}/${kind}`;
}

function pointerToPath(pointer: string): string[] {
  if (!pointer) return [];
  return pointer
    .split('/')
    .slice(1)
    .map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function show(value: unknown): string {
  const s = JSON.stringify(value);
  if (s === undefined) return String(value);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number')
    return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function toValidationError(e: ErrorObject): CrdValidationError | undefined {
  const segments = pointerToPath(e.instancePath);
  const params = e.params as Record<string, any>;
  switch (e.keyword) {
    case 'required':
      return {
        path: formatPath([...segments, params.missingProperty]),
        message: 'is required',
      };
    case 'additionalProperties':
      return {
        path: formatPath([...segments, params.additionalProperty]),
        message: 'unknown field',
      };
    case 'enum':
      return {
        path: formatPath(segments),
        message: `unsupported value ${show(e.data)}: must be one of ${(
          params.allowedValues as unknown[]
        )
          .map(v => show(v))
          .join(', ')}`,
      };
    case 'type':
      return {
        path: formatPath(segments),
        message: `must be ${String(params.type).replace(
          /,/g,
          ' or ',
        )} (got ${typeName(e.data)})`,
      };
    case 'format':
      return {
        path: formatPath(segments),
        message: `${show(e.data)} is not a valid ${params.format}`,
      };
    case 'pattern':
      return {
        path: formatPath(segments),
        message: `${show(e.data)} must match ${params.pattern}`,
      };
    case 'anyOf':
    case 'oneOf':
    case 'if':
      // The branches' own errors say more; ajv reports them as well.
      return undefined;
    default:
      return {
        path: formatPath(segments),
        message: `${e.message ?? e.keyword}${
          e.data !== undefined && typeof e.data !== 'object'
            ? ` (got ${show(e.data)})`
            : ''
        }`,
      };
  }
}

/**
 * The vendored CRDs, indexed by group/version/kind, with lazily compiled ajv validators.
 *
 * @public
 */
export class CrdSchemaRegistry {
  /**
   * `<package root>/crds`: the vendored copy of ../shared/crds. Resolved through the package's own
   * `package.json`, so it is the same directory from `src` (jest, ts-node) and from a built `dist`.
   */
  static defaultDirectory(): string {
    return resolvePackagePath(PACKAGE_NAME, 'crds');
  }

  /** Parse every `*.yaml` / `*.yml` / `*.json` CRD in `dir` (non-CRD documents are skipped). */
  static fromDirectory(
    dir: string = CrdSchemaRegistry.defaultDirectory(),
  ): CrdSchemaRegistry {
    const files = fs
      .readdirSync(dir)
      .filter(f => /\.(ya?ml|json)$/i.test(f))
      .sort();
    const crds: Array<{ crd: unknown; source: string }> = [];
    for (const file of files) {
      const full = path.join(dir, file);
      const text = fs.readFileSync(full, 'utf8');
      for (const doc of parseAllDocuments(text)) {
        if (doc.errors.length > 0) {
          throw new Error(`Cannot parse ${full}: ${doc.errors[0].message}`);
        }
        const value = doc.toJS({ maxAliasCount: -1 });
        if (isRecord(value) && value.kind === 'CustomResourceDefinition') {
          crds.push({ crd: value, source: full });
        }
      }
    }
    return new CrdSchemaRegistry(crds);
  }

  /** Build from CRD objects already parsed (e.g. read from a live cluster). */
  static fromDefinitions(crds: unknown[]): CrdSchemaRegistry {
    return new CrdSchemaRegistry(crds.map(crd => ({ crd })));
  }

  private readonly crdList: CrdInfo[] = [];
  private readonly byGk = new Map<string, Entry[]>();
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly notes = new Map<string, ConversionNotes>();
  private readonly celRules = new Map<string, CompiledCelRules>();
  private readonly ajv: Ajv;

  private constructor(crds: Array<{ crd: unknown; source?: string }>) {
    this.ajv = new Ajv({
      strict: false,
      allErrors: true,
      verbose: true,
      unicodeRegExp: false,
      validateFormats: true,
      // never mutate the caller's objects
      useDefaults: false,
      coerceTypes: false,
      removeAdditional: false,
    });
    registerFormats(this.ajv);
    for (const { crd, source } of crds) this.add(crd, source);
  }

  private add(crd: unknown, source?: string) {
    if (!isRecord(crd) || !isRecord(crd.spec)) {
      throw new Error(
        `Not a CustomResourceDefinition${source ? ` in ${source}` : ''}`,
      );
    }
    const spec = crd.spec;
    const group: string = spec.group;
    const kind: string = spec.names?.kind;
    const plural: string = spec.names?.plural;
    const scope: CrdScope = spec.scope === 'Cluster' ? 'Cluster' : 'Namespaced';
    if (!group || !kind || !Array.isArray(spec.versions)) {
      throw new Error(
        `CustomResourceDefinition ${
          crd.metadata?.name ?? '?'
        } lacks group, kind or versions${source ? ` (${source})` : ''}`,
      );
    }
    const versions: CrdVersionInfo[] = [];
    const entries: Entry[] = [];
    for (const v of spec.versions) {
      const info: CrdVersionInfo = {
        group,
        kind,
        plural,
        version: v.name,
        apiVersion: `${group}/${v.name}`,
        served: v.served === true,
        storage: v.storage === true,
        deprecated: v.deprecated === true,
        deprecationWarning: v.deprecationWarning,
        scope,
        source,
      };
      versions.push(info);
      entries.push({
        info,
        // older CRDs (apiextensions v1beta1) carry one schema for all versions under spec.validation
        openApiSchema:
          v.schema?.openAPIV3Schema ?? spec.validation?.openAPIV3Schema,
      });
    }
    this.crdList.push({
      name: crd.metadata?.name ?? `${plural}.${group}`,
      group,
      kind,
      plural,
      scope,
      versions,
      source,
    });
    this.byGk.set(gk(group, kind), [
      ...(this.byGk.get(gk(group, kind)) ?? []),
      ...entries,
    ]);
  }

  /** Every CRD loaded. */
  get definitions(): readonly CrdInfo[] {
    return this.crdList;
  }

  /** All versions known for a group/kind (served or not). */
  versionsOf(group: string, kind: string): CrdVersionInfo[] {
    return (this.byGk.get(gk(group, kind)) ?? []).map(e => e.info);
  }

  /** Served versions, storage version first. */
  servedVersions(group: string, kind: string): string[] {
    return this.versionsOf(group, kind)
      .filter(v => v.served)
      .sort((a, b) => Number(b.storage) - Number(a.storage))
      .map(v => v.version);
  }

  storageVersion(group: string, kind: string): string | undefined {
    return this.versionsOf(group, kind).find(v => v.storage)?.version;
  }

  /** The CRD version for an object's apiVersion and kind, served or not; undefined when not in any CRD. */
  lookup(apiVersion: string, kind: string): CrdVersionInfo | undefined {
    const { group, version } = splitApiVersion(apiVersion);
    return this.versionsOf(group, kind).find(v => v.version === version);
  }

  /** True when some vendored CRD defines this group/kind (whatever the version). */
  isKnownKind(apiVersion: string, kind: string): boolean {
    return this.byGk.has(gk(splitApiVersion(apiVersion).group, kind));
  }

  isServed(apiVersion: string, kind: string): boolean {
    return this.lookup(apiVersion, kind)?.served === true;
  }

  scopeOf(apiVersion: string, kind: string): CrdScope | undefined {
    return this.byGk.get(gk(splitApiVersion(apiVersion).group, kind))?.[0]?.info
      .scope;
  }

  /**
   * What validation of this GVK enforces: the CEL rules evaluated, those skipped (each with its reason) and the
   * patterns JavaScript cannot compile. Compiles the CEL rules if needed; `compiled` tells whether the schema
   * validator was compiled yet (it is, lazily, by the first `validate`).
   */
  describe(
    apiVersion: string,
    kind: string,
  ):
    | {
        celRulesEvaluated: number;
        skippedCelRules: SkippedCelRule[];
        /** Number of CEL rules not evaluated (= skippedCelRules.length). */
        ignoredCelRules: number;
        droppedPatterns: string[];
        compiled: boolean;
      }
    | undefined {
    const info = this.lookup(apiVersion, kind);
    const entry = this.byGk
      .get(gk(info?.group ?? '', kind))
      ?.find(e => e.info === info);
    if (!info || !entry) return undefined;
    const n = this.notes.get(`${info.apiVersion}/${kind}`);
    const cel = this.celRulesFor(entry);
    return {
      celRulesEvaluated: cel.evaluated,
      skippedCelRules: cel.skipped,
      ignoredCelRules: cel.skipped.length,
      droppedPatterns: n?.droppedPatterns ?? [],
      compiled: this.validators.has(`${info.apiVersion}/${kind}`),
    };
  }

  private celRulesFor(entry: Entry): CompiledCelRules {
    const key = `${entry.info.apiVersion}/${entry.info.kind}`;
    let compiled = this.celRules.get(key);
    if (!compiled) {
      compiled = compileCelRules(entry.openApiSchema ?? {});
      this.celRules.set(key, compiled);
    }
    return compiled;
  }

  private validatorFor(
    entry: Entry,
    rejectUnknownFields: boolean,
  ): ValidateFunction {
    const key = `${entry.info.apiVersion}/${entry.info.kind}${
      rejectUnknownFields ? '' : '#lenient'
    }`;
    const cached = this.validators.get(key);
    if (cached) return cached;
    const notes = newConversionNotes();
    let schema = convertOpenApiSchema(entry.openApiSchema ?? {}, notes, true);
    if (!rejectUnknownFields) schema = stripAdditionalFalse(schema);
    registerFormats(this.ajv, notes.formats);
    const fn = this.ajv.compile(schema);
    this.validators.set(key, fn);
    this.notes.set(`${entry.info.apiVersion}/${entry.info.kind}`, notes);
    return fn;
  }

  /**
   * Validate one object against its CRD: envelope (apiVersion, kind, metadata.name, scope), then the schema
   * of its served version. Never throws for bad input.
   */
  validate(
    object: unknown,
    options: CrdValidateOptions = {},
  ): CrdValidationResult {
    const maxErrors = options.maxErrors ?? 50;
    if (!isRecord(object)) {
      return {
        ok: false,
        errors: [{ path: '', message: 'must be an object' }],
      };
    }
    const apiVersion = object.apiVersion;
    const kind = object.kind;
    const envelope: CrdValidationError[] = [];
    if (typeof apiVersion !== 'string' || apiVersion === '') {
      envelope.push({ path: 'apiVersion', message: 'is required' });
    }
    if (typeof kind !== 'string' || kind === '') {
      envelope.push({ path: 'kind', message: 'is required' });
    }
    if (envelope.length > 0) return { ok: false, errors: envelope };

    const { group, version } = splitApiVersion(apiVersion);
    const entries = this.byGk.get(gk(group, kind));
    if (!entries) {
      return {
        ok: false,
        reason: 'unknown-kind',
        errors: [
          {
            path: 'kind',
            message: `no CRD schema for ${kind} in ${
              group || 'the core API group'
            }`,
          },
        ],
      };
    }
    const entry = entries.find(e => e.info.version === version);
    if (!entry || !entry.info.served) {
      const served = this.servedVersions(group, kind);
      return {
        ok: false,
        reason: 'unserved-version',
        servedVersions: served,
        errors: [
          {
            path: 'apiVersion',
            message: `${apiVersion} ${kind} is ${
              entry ? 'not served' : 'not defined'
            } by the CRD (served: ${
              served.map(v => `${group}/${v}`).join(', ') || 'none'
            })`,
          },
        ],
      };
    }

    const errors: CrdValidationError[] = [];
    const warnings: string[] = [];
    if (entry.info.deprecated) {
      warnings.push(
        entry.info.deprecationWarning ??
          `${apiVersion} ${kind} is deprecated; use ${group}/${this.storageVersion(
            group,
            kind,
          )}`,
      );
    }

    errors.push(
      ...metadataErrors(object.metadata, kind, entry.info.scope, options),
    );

    const validateFn = this.validatorFor(
      entry,
      options.rejectUnknownFields !== false,
    );
    if (!validateFn(object)) addSchemaErrors(errors, validateFn.errors ?? []);
    // The API server runs the CRD's CEL rules beside the schema and reports both.
    errors.push(...evaluateCelRules(this.celRulesFor(entry).root, object));

    if (errors.length > 0) {
      const capped = errors.slice(0, maxErrors);
      if (errors.length > maxErrors) {
        capped.push({
          path: '',
          message: `... and ${errors.length - maxErrors} more errors`,
        });
      }
      return {
        ok: false,
        errors: capped,
        ...(warnings.length ? { warnings } : {}),
      };
    }
    return warnings.length ? { ok: true, warnings } : { ok: true };
  }
}

/** metadata.name and the namespace for the CRD's scope: what the API server checks outside the schema. */
function metadataErrors(
  metadata: unknown,
  kind: string,
  scope: CrdScope,
  options: CrdValidateOptions,
): CrdValidationError[] {
  const errors: CrdValidationError[] = [];
  if (!isRecord(metadata)) {
    errors.push({ path: 'metadata', message: 'is required' });
  } else {
    if (typeof metadata.name !== 'string' || metadata.name === '') {
      errors.push({ path: 'metadata.name', message: 'is required' });
    } else if (
      metadata.name.length > 253 ||
      !DNS1123_SUBDOMAIN.test(metadata.name)
    ) {
      errors.push({
        path: 'metadata.name',
        message: `${show(
          metadata.name,
        )} must be a lowercase RFC 1123 subdomain (a-z, 0-9, '-', '.'; at most 253 characters)`,
      });
    }
    const ns = metadata.namespace;
    if (scope === 'Cluster') {
      if (ns !== undefined && ns !== null && ns !== '') {
        errors.push({
          path: 'metadata.namespace',
          message: `${kind} is cluster-scoped: metadata.namespace must not be set (got ${show(
            ns,
          )})`,
        });
      }
    } else if (ns === undefined || ns === null || ns === '') {
      if (options.requireNamespace) {
        errors.push({
          path: 'metadata.namespace',
          message: `is required: ${kind} is namespaced`,
        });
      }
    } else if (
      typeof ns !== 'string' ||
      ns.length > 63 ||
      !DNS1123_LABEL.test(ns)
    ) {
      errors.push({
        path: 'metadata.namespace',
        message: `${show(
          ns,
        )} must be a lowercase RFC 1123 label (at most 63 characters)`,
      });
    }
  }
  return errors;
}

/** Ajv's errors as validation errors, each once; when only anyOf / oneOf summaries remain, those. */
function addSchemaErrors(
  errors: CrdValidationError[],
  ajvErrors: ErrorObject[],
) {
  const seen = new Set(errors.map(e => `${e.path}\u0000${e.message}`));
  for (const ajvError of ajvErrors) {
    const e = toValidationError(ajvError);
    if (!e) continue;
    const k = `${e.path}\u0000${e.message}`;
    if (seen.has(k)) continue;
    seen.add(k);
    errors.push(e);
  }
  if (errors.length === 0) {
    // only anyOf/oneOf summaries: report them rather than pass silently
    for (const ajvError of ajvErrors) {
      errors.push({
        path: formatPath(pointerToPath(ajvError.instancePath)),
        message: ajvError.message ?? ajvError.keyword,
      });
    }
  }
}

function stripAdditionalFalse(schema: any): any {
  if (Array.isArray(schema)) return schema.map(stripAdditionalFalse);
  if (!isRecord(schema)) return schema;
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'additionalProperties' && v === false) continue;
    out[k] = typeof v === 'object' ? stripAdditionalFalse(v) : v;
  }
  return out;
}
