import type {
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  ActionContext,
  createTemplateAction,
} from '@backstage/plugin-scaffolder-node';
import type {
  FleetReport,
  IdentityRef,
  KubeObject,
  Verdict,
} from '@capa-portal/plugin-capa-common';
import {
  accountOfArn,
  capaClusterCreatePermission,
  capaResourceRef,
  CONTROLLER_IDENTITY_KIND,
  DEFAULT_IDENTITY_REF,
  ROLE_IDENTITY_KIND,
  isNamespaceAllowed,
  verdictOf,
} from '@capa-portal/plugin-capa-common';
import {
  ConfiguredManagementCluster,
  CrdSchemaRegistry,
  KubernetesApplier,
  KubernetesApplyError,
  ManagementClusterConnection,
  objectRef,
} from '@capa-portal/plugin-capa-node';
import {
  CapaFleetApi,
  chainAdmits,
  findIdentity,
  identityVerdictForNamespace,
  problemLines,
  refText,
} from '../lib/fleet';
import { assertValidObjects } from '../lib/manifests';
import { requireCapaPermission } from '../lib/permissions';
import { FieldErrors } from '../lib/validation';
import { examples } from './clusterApply.examples';

/** Kinds this action applies, with their apply rank: referenced objects before the objects that reference them. */
const APPLY_ORDER: Record<string, number> = {
  Namespace: 0,
  AWSClusterRoleIdentity: 1,
  AWSMachineTemplate: 2,
  KubeadmConfigTemplate: 2,
  AWSCluster: 3,
  AWSManagedCluster: 3,
  AWSManagedControlPlane: 4,
  KubeadmControlPlane: 4,
  Cluster: 5,
  AWSManagedMachinePool: 6,
  MachineDeployment: 7,
  MachinePool: 7,
};
const CLUSTER_SCOPED = new Set(['Namespace', 'AWSClusterRoleIdentity']);
const CARRIERS = new Set(['AWSCluster', 'AWSManagedControlPlane']);

/**
 * The field manager the scaffolder applies as.
 *
 * @public
 */
export const SCAFFOLDER_FIELD_MANAGER = 'capa-portal-scaffolder';

export interface ApplyPlan {
  managementCluster: string;
  namespace: string;
  clusterName: string;
  identityRef: IdentityRef;
  /** Objects in apply order, without any Namespace (handled first, separately). */
  objects: KubeObject[];
  newIdentity?: KubeObject;
}

/** Validates the manifests: known kinds, one namespace, one Cluster, CRD schemas; and orders them. */
export function planApply(
  input: Record<string, unknown>,
  registry?: CrdSchemaRegistry,
): ApplyPlan {
  const errors = new FieldErrors();
  const managementCluster = errors.managementCluster(
    'managementCluster',
    input.managementCluster,
    { required: true },
  );
  const manifests = input.manifests;
  if (!Array.isArray(manifests) || manifests.length === 0) {
    errors.add(
      'manifests',
      'must be the non-empty list of objects capa:cluster:render outputs',
    );
    errors.throwIfAny('capa:cluster:apply');
  }
  const objects: KubeObject[] = [];
  const namespaces = new Set<string>();
  (manifests as unknown[]).forEach((o, i) => {
    const obj = o as KubeObject;
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
      errors.add(`manifests[${i}]`, 'must be an object');
      return;
    }
    if (!(obj.kind in APPLY_ORDER)) {
      errors.add(
        `manifests[${i}].kind`,
        `${JSON.stringify(
          obj.kind,
        )} is not applied by this action (allowed: ${Object.keys(
          APPLY_ORDER,
        ).join(', ')})`,
      );
      return;
    }
    const name = errors.dnsSubdomain(
      `manifests[${i}].metadata.name`,
      obj.metadata?.name,
    );
    if (CLUSTER_SCOPED.has(obj.kind)) {
      if (obj.metadata?.namespace)
        errors.add(
          `manifests[${i}].metadata.namespace`,
          `${obj.kind} is cluster-scoped`,
        );
    } else {
      const ns = errors.dnsLabel(
        `manifests[${i}].metadata.namespace`,
        obj.metadata?.namespace,
      );
      if (ns) namespaces.add(ns);
    }
    if (obj.kind === 'Namespace' && name) namespaces.add(name);
    objects.push(obj);
  });
  if (namespaces.size > 1)
    errors.add(
      'manifests',
      `objects span several namespaces (${[...namespaces].join(
        ', ',
      )}); apply one cluster at a time`,
    );
  const clusters = objects.filter(o => o.kind === 'Cluster');
  if (clusters.length !== 1)
    errors.add(
      'manifests',
      `must hold exactly one Cluster (found ${clusters.length})`,
    );
  const carriers = objects.filter(o => CARRIERS.has(o.kind));
  if (carriers.length !== 1)
    errors.add(
      'manifests',
      `must hold exactly one AWSCluster or AWSManagedControlPlane (found ${carriers.length})`,
    );
  if (objects.filter(o => o.kind === 'AWSClusterRoleIdentity').length > 1)
    errors.add('manifests', 'at most one AWSClusterRoleIdentity');
  errors.throwIfAny('capa:cluster:apply');

  assertValidObjects(
    objects.filter(o => o.kind !== 'Namespace'),
    'the manifests',
    registry,
  );
  const carrier = carriers[0];
  const identityRef: IdentityRef = carrier.spec?.identityRef
    ? {
        kind: carrier.spec.identityRef.kind,
        name: carrier.spec.identityRef.name,
      }
    : DEFAULT_IDENTITY_REF;
  const newIdentity = objects.find(o => o.kind === ROLE_IDENTITY_KIND);
  if (
    newIdentity &&
    (identityRef.kind !== ROLE_IDENTITY_KIND ||
      newIdentity.metadata.name !== identityRef.name)
  ) {
    throw new InputError(
      `the manifests hold ${objectRef(
        newIdentity,
      )} but the cluster uses ${refText(identityRef)}`,
    );
  }
  const ordered = objects
    .filter(o => o.kind !== 'Namespace')
    .map((o, i) => ({ o, i }))
    .sort((a, b) => APPLY_ORDER[a.o.kind] - APPLY_ORDER[b.o.kind] || a.i - b.i)
    .map(x => x.o);
  return {
    managementCluster: managementCluster!,
    namespace: [...namespaces][0],
    clusterName: clusters[0].metadata.name,
    identityRef,
    objects: ordered,
    newIdentity,
  };
}

/**
 * The trust verdict of the plan's identity for its namespace: from the report for an existing identity; for an
 * identity the manifests create, from its own allowedNamespaces, its source chain, and the identities that
 * already assume the same role.
 */
export function planVerdict(
  report: FleetReport,
  plan: ApplyPlan,
): { verdict: Verdict; problems: string[] } {
  const { managementCluster, namespace, identityRef, newIdentity } = plan;
  if (!report.managementClusters.some(m => m.name === managementCluster)) {
    throw new InputError(
      `management cluster ${JSON.stringify(
        managementCluster,
      )} is not in the fleet report; known: ${
        report.managementClusters.map(m => m.name).join(', ') || 'none'
      }`,
    );
  }
  if (!newIdentity) {
    const r = identityVerdictForNamespace(
      report,
      managementCluster,
      identityRef,
      namespace,
    );
    return { verdict: r.verdict, problems: problemLines(r.checks) };
  }
  if (findIdentity(report, managementCluster, identityRef)) {
    throw new InputError(
      `${refText(
        identityRef,
      )} already exists on ${managementCluster}; applying the manifests would change it. Remove it from the manifests or pick another name.`,
    );
  }
  const problems: string[] = [];
  const own = isNamespaceAllowed(
    newIdentity.spec?.allowedNamespaces,
    namespace,
  );
  if (!own.allowed)
    problems.push(
      `namespace-allowed fail: ${refText(identityRef)}: ${own.reason}`,
    );
  const sourceRef: IdentityRef = newIdentity.spec?.sourceIdentityRef ?? {
    kind: CONTROLLER_IDENTITY_KIND,
    name: 'default',
  };
  const source = findIdentity(report, managementCluster, sourceRef);
  if (!source)
    problems.push(
      `identity-exists fail: source identity ${refText(
        sourceRef,
      )} does not exist on ${managementCluster}`,
    );
  else {
    const admission = chainAdmits(source.chain, namespace);
    if (admission.status === 'fail')
      problems.push(`namespace-allowed fail: ${admission.reasons.join('; ')}`);
    problems.push(
      ...problemLines(source.checks.filter(c => c.id !== 'namespace-allowed')),
    );
  }
  const sameRole = report.identities.filter(
    i =>
      i.managementCluster === managementCluster &&
      i.roleArn &&
      i.roleArn === newIdentity.spec?.roleARN,
  );
  for (const i of sameRole) {
    problems.push(
      ...problemLines(i.checks.filter(c => c.id !== 'namespace-allowed')).map(
        p => `${p} (seen on ${refText(i)}, same role)`,
      ),
    );
  }
  let verdict: Verdict = 'unknown';
  if (problems.some(p => / fail: /.test(p))) verdict = 'broken';
  else if (sameRole.length)
    verdict = verdictOf(
      sameRole[0].checks.filter(c => c.id !== 'namespace-allowed'),
    );
  return { verdict, problems };
}

/** @public */
export interface ApplyDependencies {
  api: CapaFleetApi;
  /** The configured management clusters (`createFleetSourcesFromConfig`); a live one has a `connection`. */
  getManagementClusters: () => Promise<ConfiguredManagementCluster[]>;
  registry?: CrdSchemaRegistry;
  fieldManager?: string;
  /**
   * Checks `capa.cluster.create` on the target account (as seen from the management cluster) for the user who
   * runs the template, before anything is applied. The module always passes it.
   */
  permissions?: PermissionsService;
}

/**
 * The account the plan creates a cluster in: the account of the role a new identity assumes, or of the existing
 * identity the cluster uses (the controller identity's is the management account).
 */
export function planAccount(
  report: FleetReport,
  plan: ApplyPlan,
): string | undefined {
  if (plan.newIdentity) {
    const arn = plan.newIdentity.spec?.roleARN;
    return typeof arn === 'string' ? accountOfArn(arn) : undefined;
  }
  return findIdentity(report, plan.managementCluster, plan.identityRef)
    ?.accountId;
}

export interface ApplyResult {
  applied: Array<{ object: string; created: boolean }>;
  namespaceCreated: boolean;
  verdict: Verdict;
  dryRun: boolean;
}

function describeApplyError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Applies the plan: the Namespace first when it is new, then a server-side dry run (`dryRun=All`) of every
 * object, then the real apply in dependency order. On any failure it deletes what this run created, in reverse
 * order, and leaves objects that existed before alone.
 */
export async function applyPlan(
  plan: ApplyPlan,
  applier: Pick<KubernetesApplier, 'apply' | 'delete' | 'exists'>,
  options: {
    logger: LoggerService;
    checkpoint: ActionContext<any>['checkpoint'];
  },
): Promise<{
  applied: Array<{ object: string; created: boolean }>;
  namespaceCreated: boolean;
}> {
  const { logger, checkpoint } = options;
  const namespaceObject: KubeObject = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: plan.namespace },
  };
  const created: KubeObject[] = [];

  const rollback = async (why: string): Promise<string> => {
    if (created.length === 0)
      return `${why}. Nothing was created, so nothing was rolled back.`;
    try {
      const deleted = await applier.delete(created);
      const names = deleted.map(d => objectRef(d.object));
      logger.warn(`rolled back ${names.join(', ')}`);
      return `${why}. Rolled back what this run created: ${names.join(', ')}.`;
    } catch (e) {
      return `${why}. Rollback failed, delete these by hand: ${created
        .map(objectRef)
        .join(', ')} (${describeApplyError(e)}).`;
    }
  };

  const nsKey = `capa.cluster.apply:${plan.managementCluster}:namespace:${plan.namespace}`;
  const namespaceCreated = await checkpoint({
    key: nsKey,
    fn: async () => {
      if (await applier.exists(namespaceObject)) return false;
      await applier.apply([namespaceObject]);
      logger.info(
        `created Namespace ${plan.namespace} on ${plan.managementCluster}`,
      );
      return true;
    },
  });
  if (namespaceCreated) created.push(namespaceObject);

  try {
    await applier.apply(plan.objects, { dryRun: true });
    logger.info(
      `dry run (dryRun=All) of ${plan.objects.length} objects passed on ${plan.managementCluster}`,
    );
  } catch (e) {
    throw new InputError(
      await rollback(
        `dry run on ${
          plan.managementCluster
        } failed, nothing was applied: ${describeApplyError(e)}`,
      ),
    );
  }

  const appliedRefs = await checkpoint({
    key: `capa.cluster.apply:${plan.managementCluster}:${plan.namespace}/${plan.clusterName}`,
    fn: async () => {
      try {
        const applied = await applier.apply(plan.objects);
        return applied.map(a => ({
          object: objectRef(a.object),
          created: a.created,
        }));
      } catch (e) {
        if (e instanceof KubernetesApplyError) {
          created.push(...e.applied.filter(a => a.created).map(a => a.object));
        }
        throw new Error(
          await rollback(
            `apply on ${plan.managementCluster} failed: ${describeApplyError(
              e,
            )}`,
          ),
        );
      }
    },
  });
  return { applied: appliedRefs, namespaceCreated };
}

/** The catalog entity name the capa entity provider gives a workload cluster (`<name>.<namespace>.<mgmt>`), when short enough. */
export function clusterEntityRef(
  plan: Pick<ApplyPlan, 'clusterName' | 'namespace' | 'managementCluster'>,
): string | undefined {
  const name = [plan.clusterName, plan.namespace, plan.managementCluster]
    .map(p => p.toLowerCase().replace(/[^a-z0-9._-]+/g, '-'))
    .join('.');
  return name.length <= 63 ? `resource:default/${name}` : undefined;
}

/**
 * Who may apply and whether the identity can be trusted, before anything is sent: capa.cluster.create on the
 * plan's account as seen from its management cluster, then the trust verdict of the identity for the namespace
 * (broken refuses, problems are logged). Returns the verdict.
 */
async function authorizePlan(
  deps: ApplyDependencies,
  ctx: Pick<ActionContext<any, any, any>, 'getInitiatorCredentials' | 'logger'>,
  plan: ApplyPlan,
): Promise<ReturnType<typeof planVerdict>['verdict']> {
  const report = await deps.api.fleetReport();
  const accountId = planAccount(report, plan);
  if (deps.permissions && !accountId) {
    throw new NotAllowedError(
      `refusing to apply ${plan.namespace}/${
        plan.clusterName
      }: the account of ${refText(plan.identityRef)} on ${
        plan.managementCluster
      } is not known, so capa.cluster.create cannot be checked; nothing was applied`,
    );
  }
  if (accountId)
    await requireCapaPermission(deps.permissions, ctx, {
      permission: capaClusterCreatePermission,
      resourceRef: capaResourceRef.account(accountId, plan.managementCluster),
      what: `create cluster ${plan.namespace}/${plan.clusterName} in account ${accountId} from ${plan.managementCluster}`,
    });
  const { verdict, problems } = planVerdict(report, plan);
  if (verdict === 'broken') {
    throw new NotAllowedError(
      `refusing to apply ${plan.namespace}/${
        plan.clusterName
      }: the trust verdict of ${refText(plan.identityRef)} for namespace ${
        plan.namespace
      } on ${plan.managementCluster} is broken: ${problems.join('; ')}`,
    );
  }
  if (problems.length)
    ctx.logger.warn(
      `trust of ${refText(plan.identityRef)} (${verdict}): ${problems.join(
        '; ',
      )}`,
    );
  return verdict;
}

/** The live connection of a configured management cluster: one read from manifests cannot be applied to. */
async function liveConnectionOf(
  deps: ApplyDependencies,
  managementCluster: string,
): Promise<ManagementClusterConnection> {
  const configured = await deps.getManagementClusters();
  const mgmt = configured.find(m => m.cluster.name === managementCluster);
  if (!mgmt) {
    throw new InputError(
      `management cluster ${managementCluster} is not configured; known: ${
        configured.map(m => m.cluster.name).join(', ') || 'none'
      }`,
    );
  }
  if (!mgmt.connection) {
    throw new InputError(
      `management cluster ${managementCluster} is read from ${mgmt.source.target} (manifests, GitOps) and has no kubernetes: connection to apply to; deliver the manifests with a pull request instead`,
    );
  }
  return mgmt.connection;
}

/**
 * `capa:cluster:apply`: server-side apply of rendered manifests to a live management cluster.
 *
 * @public
 */
export function createCapaClusterApplyAction(deps: ApplyDependencies) {
  return createTemplateAction({
    id: 'capa:cluster:apply',
    description:
      'Server-side applies the manifests of capa:cluster:render to a live management cluster: refuses when the trust verdict of the identity for the namespace is broken, creates the Namespace when new, dry-runs every object (dryRun=All), applies in dependency order, and deletes what it created when anything fails.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        managementCluster: z =>
          z
            .string()
            .describe(
              'Management cluster name; must be configured with kubernetes: (a live connection)',
            ),
        manifests: z =>
          z
            .array(z.record(z.any()))
            .describe(
              'Objects to apply (the manifests output of capa:cluster:render)',
            ),
      },
      output: {
        applied: z =>
          z
            .array(z.object({ object: z.string(), created: z.boolean() }))
            .describe(
              'Kind/namespace/name of each applied object, and whether it was new',
            ),
        namespaceCreated: z =>
          z.boolean().describe('True when the Namespace was created'),
        verdict: z =>
          z
            .string()
            .describe('Trust verdict of the identity for the namespace'),
        catalogEntityRef: z =>
          z
            .string()
            .optional()
            .describe(
              'The catalog entity the cluster will appear as after the next capa catalog refresh',
            ),
        message: z => z.string().describe('What happened, in words'),
      },
    },
    async handler(ctx) {
      const plan = planApply(
        ctx.input as Record<string, unknown>,
        deps.registry,
      );
      const verdict = await authorizePlan(deps, ctx, plan);
      const connection = await liveConnectionOf(deps, plan.managementCluster);
      const entityRef = clusterEntityRef(plan);
      const catalogNote = `The cluster appears in the catalog${
        entityRef ? ` as ${entityRef}` : ''
      } after the capa entity provider's next refresh of ${
        plan.managementCluster
      }.`;
      if (ctx.isDryRun) {
        const message = `dry run: would apply ${plan.objects
          .map(objectRef)
          .join(', ')} to ${
          plan.managementCluster
        } (verdict ${verdict}); nothing was sent to the cluster.`;
        ctx.output(
          'applied',
          plan.objects.map(o => ({ object: objectRef(o), created: true })),
        );
        ctx.output('namespaceCreated', false);
        ctx.output('verdict', verdict);
        ctx.output('message', message);
        return;
      }
      const applier = KubernetesApplier.create({
        connection,
        fieldManager: deps.fieldManager ?? SCAFFOLDER_FIELD_MANAGER,
        name: plan.managementCluster,
        logger: ctx.logger,
      });
      const result = await applyPlan(plan, applier, {
        logger: ctx.logger,
        checkpoint: opts => ctx.checkpoint(opts),
      });
      const applied = result.applied;
      ctx.output('applied', applied);
      ctx.output('namespaceCreated', result.namespaceCreated);
      ctx.output('verdict', verdict);
      if (entityRef) ctx.output('catalogEntityRef', entityRef);
      ctx.output(
        'message',
        `applied ${applied.length} objects to ${plan.managementCluster} (${
          applied.filter(a => a.created).length
        } new)${
          result.namespaceCreated ? `, created Namespace ${plan.namespace}` : ''
        }. ${catalogNote}`,
      );
    },
  });
}
