import type { PermissionsService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type {
  IdentityRef,
  KubeObject,
  FleetReport,
  Verdict,
} from '@capa-portal/plugin-capa-common';
import {
  ACCOUNT_ID_PATTERN,
  capaAccountReadPermission,
  capaResourceRef,
  parseArn,
  parseRoleArn,
  ROLE_IDENTITY_KIND,
  verdictOf,
} from '@capa-portal/plugin-capa-common';
import {
  CapaFleetApi,
  chainAdmits,
  findIdentity,
  problemLines,
  rankCandidates,
  type IdentityCandidate,
  refText,
} from '../lib/fleet';
import {
  assertValidObjects,
  buildRoleIdentity,
  toYaml,
} from '../lib/manifests';
import {
  NAMING_CONVENTIONS,
  NamingConvention,
  targetRoleArn,
} from '../lib/names';
import { requireCapaPermission } from '../lib/permissions';
import { FieldErrors, Partition } from '../lib/validation';
import { examples } from './identityResolve.examples';

/** @public */
export interface ResolveIdentityInput {
  managementCluster: string;
  accountId: string;
  namespace: string;
  createIfMissing?: boolean;
  identityName?: string;
  namingConvention?: NamingConvention;
  partition?: Partition;
  allowBroken?: boolean;
}

/** @public */
export interface ResolveIdentityResult {
  identityRef: IdentityRef;
  roleArn?: string;
  verdict: Verdict;
  created: boolean;
  identityManifest?: KubeObject;
  identityYaml?: string;
  reason: string;
}

/** Validates the inputs of identity resolution; throws one InputError naming every bad field. */
export function validateResolveInput(
  input: Record<string, unknown>,
): ResolveIdentityInput {
  const errors = new FieldErrors();
  const managementCluster = errors.managementCluster(
    'managementCluster',
    input.managementCluster,
    { required: true },
  );
  const accountId = errors.accountId('accountId', input.accountId);
  const namespace = errors.dnsLabel('namespace', input.namespace);
  const identityName = errors.dnsSubdomain('identityName', input.identityName, {
    required: false,
  });
  const namingConvention = errors.oneOf(
    'namingConvention',
    input.namingConvention,
    NAMING_CONVENTIONS,
  );
  const partition = errors.partition('partition', input.partition);
  for (const flag of ['createIfMissing', 'allowBroken']) {
    if (input[flag] !== undefined && typeof input[flag] !== 'boolean')
      errors.add(flag, 'must be true or false');
  }
  errors.throwIfAny('capa:identity:resolve');
  return {
    managementCluster: managementCluster!,
    accountId: accountId!,
    namespace: namespace!,
    identityName,
    namingConvention,
    partition,
    createIfMissing: input.createIfMissing === true,
    allowBroken: input.allowBroken === true,
  };
}

/**
 * Finds the identity whose whole chain admits the namespace for the account (CAPA's semantics, through
 * capa-common), or builds a new AWSClusterRoleIdentity when allowed. Pure: reads the report, writes nothing.
 *
 * @public
 */
export async function resolveIdentity(
  api: CapaFleetApi,
  rawInput: Record<string, unknown>,
): Promise<ResolveIdentityResult> {
  const input = validateResolveInput(rawInput);
  const { managementCluster, accountId, namespace } = input;
  const report = await api.fleetReport();
  const mgmt = report.managementClusters.find(
    m => m.name === managementCluster,
  );
  if (!mgmt) {
    throw new InputError(
      `management cluster ${JSON.stringify(
        managementCluster,
      )} is not configured; known: ${
        report.managementClusters.map(m => m.name).join(', ') || 'none'
      }`,
    );
  }

  const candidates = rankCandidates(
    report,
    managementCluster,
    accountId,
    namespace,
  );
  const admitting = candidates.filter(
    c => c.result.admission.status !== 'fail',
  );
  const usable = admitting.find(
    c => c.result.verdict !== 'broken' || input.allowBroken,
  );
  if (usable) {
    const ref = { kind: usable.identity.kind, name: usable.identity.name };
    return {
      identityRef: ref,
      roleArn: usable.identity.roleArn,
      verdict: usable.result.verdict,
      created: false,
      reason: `${refText(
        ref,
      )} admits namespace ${namespace} for account ${accountId} (${usable.result.admission.reasons.join(
        '; ',
      )}); verdict ${usable.result.verdict}`,
    };
  }
  if (admitting.length) {
    const c = admitting[0];
    throw new InputError(
      `${refText(
        c.identity,
      )} admits namespace ${namespace} but its trust is broken: ${problemLines(
        c.result.checks,
      ).join(
        '; ',
      )}. Fix the identity or the account's IAM first (see the Trust tab of account ${accountId}).`,
    );
  }

  const refusals = candidates.map(
    c => `${refText(c.identity)}: ${c.result.admission.reasons.join('; ')}`,
  );
  if (!input.createIfMissing) {
    throw new InputError(
      candidates.length
        ? `no identity on ${managementCluster} admits namespace ${namespace} for account ${accountId}. ${refusals.join(
            ' | ',
          )}. Allow the namespace in one of them, or set createIfMissing to generate a new AWSClusterRoleIdentity.`
        : `no identity on ${managementCluster} targets account ${accountId}. Onboard the account (capa:account:bootstrap) or set createIfMissing to generate an AWSClusterRoleIdentity.`,
    );
  }

  return generateIdentity(report, input, candidates, refusals);
}

/**
 * A new AWSClusterRoleIdentity for the account admitting the namespace: it reuses what an existing role identity
 * for the account does (same role, source and external id), else defaults; it inherits the role's trust, so its
 * verdict is that identity's without namespace-allowed.
 */
function generateIdentity(
  report: FleetReport,
  input: ReturnType<typeof validateResolveInput>,
  candidates: IdentityCandidate[],
  refusals: string[],
): ResolveIdentityResult {
  const { managementCluster, accountId, namespace } = input;
  // Reuse what an existing role identity for the account does (same role, source and external id); else defaults.
  const template = candidates.find(
    c => c.identity.kind === ROLE_IDENTITY_KIND && c.identity.roleArn,
  );
  const source: IdentityRef = template?.identity.chain[1]
    ? {
        kind: template.identity.chain[1].kind,
        name: template.identity.chain[1].name,
      }
    : { kind: 'AWSClusterControllerIdentity', name: 'default' };
  // The role must be in the management principal's partition: sts:AssumeRole never crosses one.
  const principalPartition = parseArn(
    report.managementClusters.find(m => m.name === managementCluster)
      ?.controllerPrincipalArn,
  )?.partition;
  if (
    input.partition &&
    principalPartition &&
    input.partition !== principalPartition
  ) {
    throw new InputError(
      `partition ${input.partition} differs from the management principal's (${principalPartition}) on ${managementCluster}: roles cannot be assumed across partitions`,
    );
  }
  const partition =
    input.partition ??
    (template
      ? parseRoleArn(template.identity.roleArn)?.partition
      : undefined) ??
    principalPartition ??
    'aws';
  const roleArn =
    template?.identity.roleArn ??
    targetRoleArn(
      partition,
      accountId,
      input.namingConvention ?? 'controllers',
    );
  const name = input.identityName ?? `${namespace}-${accountId}`;
  if (
    findIdentity(report, managementCluster, { kind: ROLE_IDENTITY_KIND, name })
  ) {
    throw new InputError(
      `AWSClusterRoleIdentity/${name} already exists on ${managementCluster} and does not admit namespace ${namespace}; choose another identityName or allow the namespace in it`,
    );
  }
  const sourceReport = findIdentity(report, managementCluster, source);
  if (!sourceReport) {
    throw new InputError(
      `the source identity ${refText(
        source,
      )} does not exist on ${managementCluster}; a new identity cannot chain from it`,
    );
  }
  const sourceAdmission = chainAdmits(sourceReport.chain, namespace);
  if (sourceAdmission.status === 'fail') {
    throw new InputError(
      `a new identity would chain from ${refText(
        source,
      )}, which does not admit namespace ${namespace} (CAPA checks every identity of the chain): ${sourceAdmission.reasons.join(
        '; ',
      )}`,
    );
  }
  const templateLink = template?.identity.chain[0];
  const manifest = buildRoleIdentity({
    name,
    roleArn,
    allowedNamespaces: [namespace],
    sourceIdentityRef: source,
    externalId: templateLink?.externalId,
    durationSeconds: templateLink?.durationSeconds,
  });
  assertValidObjects([manifest], 'the generated AWSClusterRoleIdentity');
  // The new identity inherits the role's trust: its verdict is the template's without namespace-allowed.
  let verdict: Verdict = 'unknown';
  if (template) {
    const checks = [
      ...template.result.checks.filter(c => c.id !== 'namespace-allowed'),
      {
        id: 'namespace-allowed' as const,
        status: sourceAdmission.status,
        message: '',
      },
    ];
    verdict = verdictOf(checks);
    if (verdict === 'broken' && !input.allowBroken) {
      throw new InputError(
        `a new identity for ${roleArn} would be broken like ${refText(
          template.identity,
        )}: ${problemLines(checks).join('; ')}`,
      );
    }
  }
  return {
    identityRef: { kind: ROLE_IDENTITY_KIND, name },
    roleArn,
    verdict,
    created: true,
    identityManifest: manifest,
    identityYaml: toYaml([manifest]),
    reason: `${
      candidates.length
        ? `no identity admits namespace ${namespace} (${refusals.join(' | ')})`
        : `no identity targets account ${accountId}`
    }; generated AWSClusterRoleIdentity/${name} for ${roleArn}${
      template ? ` (like ${refText(template.identity)})` : ''
    }. It must be applied to ${managementCluster} before the cluster.`,
  };
}

/**
 * `capa:identity:resolve`: the identityRef a new cluster in a namespace of an account should use.
 *
 * @public
 */
export function createCapaIdentityResolveAction(options: {
  api: CapaFleetApi;
  /** When given, the user who runs the template must hold `capa.account.read` on the account. */
  permissions?: PermissionsService;
}) {
  return createTemplateAction({
    id: 'capa:identity:resolve',
    description:
      'Finds the CAPA identity (identityRef) whose whole chain admits a namespace for an AWS account on a management cluster, with its trust verdict; or generates an AWSClusterRoleIdentity when createIfMissing is set.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        managementCluster: z =>
          z
            .string()
            .describe(
              'Management cluster name as configured (capa.managementClusters[].name)',
            ),
        accountId: z =>
          z
            .string()
            .regex(ACCOUNT_ID_PATTERN)
            .describe('Target AWS account id (12 digits)'),
        namespace: z =>
          z
            .string()
            .max(63)
            .describe('Namespace of the new cluster in the management cluster'),
        createIfMissing: z =>
          z
            .boolean()
            .optional()
            .describe(
              'When no identity admits the namespace, generate an AWSClusterRoleIdentity (default false)',
            ),
        identityName: z =>
          z
            .string()
            .optional()
            .describe(
              'Name of a generated identity (default <namespace>-<accountId>)',
            ),
        namingConvention: z =>
          z
            .enum(NAMING_CONVENTIONS)
            .optional()
            .describe(
              'Target role of a generated identity when the account has none: controllers (default) or control-plane (DKP)',
            ),
        partition: z =>
          z
            .enum(['aws', 'aws-cn', 'aws-us-gov'])
            .optional()
            .describe('AWS partition of a generated role ARN (default aws)'),
        allowBroken: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Return an identity even when its trust verdict is broken (default false)',
            ),
      },
      output: {
        identityRef: z =>
          z
            .object({ kind: z.string(), name: z.string() })
            .describe(
              'The identityRef for AWSCluster / AWSManagedControlPlane',
            ),
        roleArn: z =>
          z.string().optional().describe('Role ARN the identity assumes'),
        verdict: z =>
          z
            .string()
            .describe('Trust verdict of the identity for this namespace'),
        created: z =>
          z
            .boolean()
            .describe('True when the identity is new and must be applied'),
        identityManifest: z =>
          z
            .record(z.any())
            .optional()
            .describe('The generated AWSClusterRoleIdentity'),
        identityYaml: z =>
          z
            .string()
            .optional()
            .describe('The generated AWSClusterRoleIdentity as YAML'),
        reason: z => z.string().describe('Why this identity'),
      },
    },
    async handler(ctx) {
      const input = ctx.input as Record<string, unknown>;
      // An account's identities and role ARNs are its trust data (issue #13): capa.account.read, asked for the
      // user who runs the template before the report is read, as the /api/capa routes ask it.
      const { accountId } = validateResolveInput(input);
      await requireCapaPermission(options.permissions, ctx, {
        permission: capaAccountReadPermission,
        resourceRef: capaResourceRef.account(accountId),
        what: `read the identities of account ${accountId}`,
      });
      const result = await resolveIdentity(options.api, input);
      ctx.logger.info(result.reason);
      ctx.output('identityRef', result.identityRef);
      if (result.roleArn) ctx.output('roleArn', result.roleArn);
      ctx.output('verdict', result.verdict);
      ctx.output('created', result.created);
      if (result.identityManifest)
        ctx.output('identityManifest', result.identityManifest as any);
      if (result.identityYaml) ctx.output('identityYaml', result.identityYaml);
      ctx.output('reason', result.reason);
    },
  });
}
