import type { LoggerService } from '@backstage/backend-plugin-api';
import type { KubeObject } from '@capa-portal/plugin-capa-common';
import { KubernetesObject, PatchStrategy } from '@kubernetes/client-node';
import {
  KubernetesClients,
  makeKubernetesClients,
  ManagementClusterConnection,
} from './connection';
import {
  classifyFailure,
  ClassifiedFailure,
  describeCauses,
  KubernetesRequestError,
  KubernetesRequestErrorOptions,
} from './errors';

/** The field manager capa-portal applies as, unless told otherwise. */
export const DEFAULT_FIELD_MANAGER = 'capa-portal';

/**
 * One object as the server returned it after a (dry-run) apply.
 *
 * @public
 */
export interface AppliedObject {
  object: KubeObject;
  /** True when the object did not exist before this apply (for a dry run: would be created). */
  created: boolean;
}

/** @public */
export interface KubernetesApplierOptions {
  connection: ManagementClusterConnection;
  /** Server-side apply field manager. Default `capa-portal`. */
  fieldManager?: string;
  /**
   * Send `force=true`, taking over fields another manager owns. Default **false**: applying over fields that
   * another manager (GitOps, kubectl, a controller) owns fails with 409 Conflict naming that manager, instead of
   * silently overwriting it. The scaffolder creates new objects, so a conflict means someone else already
   * manages the object, and a human should decide.
   */
  force?: boolean;
  /** For messages: the management cluster's name. */
  name?: string;
  logger?: LoggerService;
}

/**
 * An apply that failed part-way. `applied` lists what was applied (or dry-run applied) before the failure.
 *
 * @public
 */
export class KubernetesApplyError extends KubernetesRequestError {
  readonly applied: AppliedObject[];
  /** `Kind/namespace/name` of the object that failed. */
  readonly object: string;

  constructor(
    message: string,
    options: KubernetesRequestErrorOptions & {
      applied: AppliedObject[];
      object: string;
    },
  ) {
    super(message, options);
    this.applied = options.applied;
    this.object = options.object;
  }
}

/**
 * `AWSCluster/team-a/web`, or `AWSClusterRoleIdentity/staging` for a cluster-scoped object: how the applier
 * names an object in its errors (`KubernetesApplyError.object`) and the scaffolder names it to the user.
 *
 * @public
 */
export function objectRef(o: {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
}): string {
  const ns = o.metadata?.namespace ? `${o.metadata.namespace}/` : '';
  return `${o.kind ?? '?'}/${ns}${o.metadata?.name ?? '?'}`;
}

/** Fields the server owns: sending them in an apply would be rejected or ignored. */
function applyBody(o: KubeObject): KubernetesObject {
  const copy = JSON.parse(JSON.stringify(o));
  if (copy.metadata) {
    for (const k of [
      'resourceVersion',
      'uid',
      'creationTimestamp',
      'deletionTimestamp',
      'managedFields',
      'generation',
      'selfLink',
    ]) {
      delete copy.metadata[k];
    }
  }
  delete copy.status;
  return copy;
}

function header(o: KubeObject): {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
} {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: {
      name: o.metadata?.name,
      ...(o.metadata?.namespace ? { namespace: o.metadata.namespace } : {}),
    },
  };
}

function plain<T>(value: unknown): T {
  return JSON.parse(JSON.stringify(value));
}

function isDiscoveryFailure(e: unknown): boolean {
  return (
    e instanceof Error &&
    e.message.startsWith('Failed to fetch resource metadata')
  );
}

/** The RBAC verb a `forbidden` failure of `verb` ('apply' | 'read' | 'delete') is missing. */
function rbacVerb(verb: string): string {
  if (verb === 'delete') return 'delete';
  if (verb === 'read') return 'get';
  return 'patch';
}

/**
 * Applies objects to a management cluster with **server-side apply** (PATCH,
 * `Content-Type: application/apply-patch+yaml`, `fieldManager`, `dryRun=All` for dry runs), through
 * client-node's `KubernetesObjectApi` (which finds each kind's REST path by discovery). Used by the
 * scaffolder's `capa:cluster:apply`: dry-run everything, apply for real, and on failure `delete` what was
 * created (`KubernetesApplyError.applied`, `created: true`).
 *
 * Objects are applied one by one in the order given (put Namespaces first). Errors name the object
 * (`Kind/namespace/name`) and carry the server's message, with a 422's field paths.
 *
 * @public
 */
export class KubernetesApplier {
  readonly fieldManager: string;
  readonly force: boolean;
  private readonly clients: KubernetesClients;
  private readonly label: string;
  private readonly logger?: LoggerService;

  static create(options: KubernetesApplierOptions): KubernetesApplier {
    return new KubernetesApplier(options);
  }

  private constructor(options: KubernetesApplierOptions) {
    this.fieldManager = options.fieldManager ?? DEFAULT_FIELD_MANAGER;
    if (!this.fieldManager || this.fieldManager.length > 128) {
      throw new Error('fieldManager must be 1..128 characters');
    }
    this.force = options.force ?? false;
    this.clients = makeKubernetesClients(options.connection);
    this.label = options.name
      ? `management cluster "${options.name}"`
      : 'the management cluster';
    this.logger = options.logger;
  }

  /** Whether the object exists (GET). Throws on anything but 200 / 404. */
  async exists(object: KubeObject): Promise<boolean> {
    try {
      await this.clients.objects.read(header(object));
      return true;
    } catch (e) {
      const failure = classifyFailure(e, this.clients.timeoutMs);
      if (failure.reason === 'not-found' && !isDiscoveryFailure(e))
        return false;
      throw this.error('read', object, failure, e);
    }
  }

  /**
   * Server-side applies each object in order. `dryRun`: the server validates and returns the result, storing
   * nothing. Throws {@link KubernetesApplyError} at the first failure, with the objects applied before it.
   */
  async apply(
    objects: KubeObject[],
    options?: { dryRun?: boolean },
  ): Promise<AppliedObject[]> {
    const dryRun = options?.dryRun ?? false;
    const applied: AppliedObject[] = [];
    for (const object of objects) {
      const ref = objectRef(object);
      if (!object?.apiVersion || !object?.kind || !object?.metadata?.name) {
        throw new KubernetesApplyError(
          `cannot apply ${ref}: apiVersion, kind and metadata.name are required`,
          {
            reason: 'bad-request',
            applied,
            object: ref,
          },
        );
      }
      let existed: boolean;
      try {
        existed = await this.exists(object);
      } catch (e) {
        const err = e as KubernetesRequestError;
        throw new KubernetesApplyError(err.message, {
          ...err,
          reason: err.reason ?? 'server-error',
          applied,
          object: ref,
        });
      }
      let result: KubernetesObject;
      try {
        result = await this.clients.objects.patch(
          applyBody(object),
          undefined,
          dryRun ? 'All' : undefined,
          this.fieldManager,
          this.force,
          PatchStrategy.ServerSideApply,
        );
      } catch (e) {
        const failure = classifyFailure(e, this.clients.timeoutMs);
        const err = this.error(
          dryRun ? 'dry-run apply' : 'apply',
          object,
          failure,
          e,
        );
        throw new KubernetesApplyError(err.message, {
          ...failure,
          applied,
          object: ref,
        });
      }
      applied.push({ object: plain<KubeObject>(result), created: !existed });
      this.logger?.info(
        `${dryRun ? 'dry-run ' : ''}applied ${ref} to ${this.label} (${
          existed ? 'updated' : 'created'
        }) as ${this.fieldManager}`,
      );
    }
    return applied;
  }

  /**
   * Deletes the objects, in reverse order (for rollback). An object already gone counts as `deleted: false`.
   * Tries every object; throws after, naming each failure.
   */
  async delete(
    objects: KubeObject[],
  ): Promise<Array<{ object: KubeObject; deleted: boolean }>> {
    const results: Array<{ object: KubeObject; deleted: boolean }> = [];
    const failures: string[] = [];
    for (const object of [...objects].reverse()) {
      try {
        await this.clients.objects.delete(header(object));
        results.push({ object, deleted: true });
        this.logger?.info(`deleted ${objectRef(object)} from ${this.label}`);
      } catch (e) {
        const failure = classifyFailure(e, this.clients.timeoutMs);
        if (failure.reason === 'not-found' && !isDiscoveryFailure(e)) {
          results.push({ object, deleted: false });
          continue;
        }
        failures.push(this.error('delete', object, failure, e).message);
      }
    }
    if (failures.length > 0) {
      throw new KubernetesRequestError(
        `could not delete ${failures.length} object(s): ${failures.join(
          ' | ',
        )}`,
        {
          reason: 'server-error',
        },
      );
    }
    return results;
  }

  private error(
    verb: string,
    object: KubeObject,
    failure: ClassifiedFailure,
    e: unknown,
  ): KubernetesRequestError {
    const ref = objectRef(object);
    let classified = failure;
    let detail = failure.detail;
    if (isDiscoveryFailure(e) && failure.reason === 'not-found') {
      detail = `${object.apiVersion} is not served by ${this.label} (CRD not installed?)`;
    } else if (
      e instanceof Error &&
      e.message.startsWith('Unrecognized API version and kind')
    ) {
      detail = `${object.apiVersion} ${object.kind} is not served by ${this.label} (CRD not installed?)`;
      classified = { ...failure, reason: 'not-found' };
    }
    const causes = describeCauses(classified.status);
    const code = classified.statusCode
      ? ` (HTTP ${classified.statusCode}${
          classified.status?.reason ? ` ${classified.status.reason}` : ''
        })`
      : '';
    let hint = '';
    if (classified.reason === 'forbidden') {
      hint = ` Grant verb "${rbacVerb(verb)}" on ${object.kind} (${
        object.apiVersion
      }) to the identity capa-portal uses.`;
    } else if (classified.reason === 'conflict') {
      hint =
        ' Another field manager owns these fields; resolve it by hand or apply with force.';
    }
    const causeText = causes && !detail.includes(causes) ? ` [${causes}]` : '';
    return new KubernetesRequestError(
      `${verb} ${ref} on ${this.label} failed${code}: ${detail}${causeText}${hint}`,
      classified,
    );
  }
}
