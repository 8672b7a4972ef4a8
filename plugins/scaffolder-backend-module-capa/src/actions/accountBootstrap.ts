import type { PermissionsService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type {
  KubeObject,
  PolicyDocument,
  PolicyStatement,
} from '@capa-portal/plugin-capa-common';
import {
  capaAccountOnboardPermission,
  capaResourceRef,
  ACCOUNT_ID_PATTERN,
  parseRoleArn,
  ROLE_IDENTITY_KIND,
  ROLE_SESSION_NAME_PATTERN,
} from '@capa-portal/plugin-capa-common';
import { stringify } from 'yaml';
import { CapaFleetApi, findIdentity, identitiesForAccount } from '../lib/fleet';
import {
  assertValidObjects,
  buildRoleIdentity,
  toYaml,
  writeWorkspaceFiles,
} from '../lib/manifests';
import {
  NAMING_CONVENTIONS,
  NamingConvention,
  targetRoleArn,
} from '../lib/names';
import { requireCapaPermission } from '../lib/permissions';
import { FieldErrors } from '../lib/validation';
import { examples } from './accountBootstrap.examples';

const IAM_CONFIGURATION_API_VERSION =
  'bootstrap.aws.infrastructure.cluster.x-k8s.io/v1beta1';

export interface BootstrapInput {
  accountId: string;
  accountName?: string;
  managementCluster?: string;
  managementPrincipalArn?: string;
  namingConvention: NamingConvention;
  partition?: string;
  externalId?: string;
  principalTags?: Record<string, string>;
  allowedNamespaces: string[];
  identityName?: string;
  durationSeconds?: number;
  sessionName?: string;
  writeFiles: boolean;
  outputDir?: string;
}

export function validateBootstrapInput(
  input: Record<string, unknown>,
): BootstrapInput {
  const errors = new FieldErrors();
  const accountId = errors.accountId('accountId', input.accountId);
  const accountName = errors.dnsLabel('accountName', input.accountName, {
    required: false,
    max: 50,
  });
  const managementCluster = errors.managementCluster(
    'managementCluster',
    input.managementCluster,
  );
  const managementPrincipalArn = errors.roleArn(
    'managementPrincipalArn',
    input.managementPrincipalArn,
    { required: false },
  );
  if (
    !managementCluster &&
    !managementPrincipalArn &&
    !errors.errors.some(e => e.field.startsWith('management'))
  ) {
    errors.add(
      'managementCluster',
      'give managementCluster (its controller principal is read from the fleet) or managementPrincipalArn',
    );
  }
  const namingConvention = errors.oneOf(
    'namingConvention',
    input.namingConvention ?? 'controllers',
    NAMING_CONVENTIONS,
    { required: true },
  );
  const partition = errors.partition('partition', input.partition);
  const externalId = errors.externalId('externalId', input.externalId);
  const principalTags = errors.tags('principalTags', input.principalTags, {
    allowEmptyValue: false,
  });
  const identityName = errors.dnsSubdomain('identityName', input.identityName, {
    required: false,
  });
  const durationSeconds = errors.integer(
    'durationSeconds',
    input.durationSeconds,
    { min: 900, max: 43200 },
  );
  const sessionName = errors.string('sessionName', input.sessionName, {
    pattern: ROLE_SESSION_NAME_PATTERN,
    patternText:
      'must be 2..64 characters of letters, digits and + = , . @ - _',
  });
  const allowedNamespaces: string[] = [];
  const rawNs = input.allowedNamespaces;
  if (!Array.isArray(rawNs) || rawNs.length === 0) {
    errors.add(
      'allowedNamespaces',
      'list at least one namespace (an empty list admits none; CAPA reads {} as all)',
    );
  } else {
    rawNs.forEach((n, i) => {
      const v = errors.dnsLabel(`allowedNamespaces[${i}]`, n);
      if (v && !allowedNamespaces.includes(v)) allowedNamespaces.push(v);
    });
  }
  if (input.writeFiles !== undefined && typeof input.writeFiles !== 'boolean')
    errors.add('writeFiles', 'must be true or false');
  const outputDir = errors.workspacePath('outputDir', input.outputDir);
  errors.throwIfAny('capa:account:bootstrap');
  return {
    accountId: accountId!,
    accountName,
    managementCluster,
    managementPrincipalArn,
    namingConvention: namingConvention!,
    partition,
    externalId,
    principalTags,
    allowedNamespaces,
    identityName,
    durationSeconds,
    sessionName,
    writeFiles: input.writeFiles === true,
    outputDir,
  };
}

/** Which clusterawsadm section configures a management principal: controllers, control-plane, or none (IRSA / Pod Identity role). */
export function clusterawsadmSectionOf(
  principalArn: string,
): 'clusterAPIControllers' | 'controlPlane' | undefined {
  const name = parseRoleArn(principalArn)?.name ?? '';
  if (/control-plane\.cluster-api-provider-aws\.sigs\.k8s\.io/.test(name))
    return 'controlPlane';
  if (/controllers\.cluster-api-provider-aws\.sigs\.k8s\.io/.test(name))
    return 'clusterAPIControllers';
  return undefined;
}

/** @public */
export interface BootstrapResult {
  roleArn: string;
  managementPrincipalArn: string;
  trustStatement: PolicyStatement;
  trustPolicy: PolicyDocument;
  managementPolicy: PolicyDocument;
  targetIamConfiguration: Record<string, unknown>;
  managementIamConfiguration?: Record<string, unknown>;
  identityManifest: KubeObject;
  files: Array<{ path: string; content: string }>;
  notes: string[];
}

/** The account to onboard (and the management cluster, when named): validated before the permission check. */
function onboardTarget(input: Record<string, unknown>) {
  const errors = new FieldErrors();
  const accountId = errors.accountId('accountId', input.accountId);
  const managementCluster = errors.managementCluster(
    'managementCluster',
    input.managementCluster,
  );
  errors.throwIfAny('capa:account:bootstrap');
  return { accountId: accountId!, managementCluster };
}

/**
 * The management principal the account will trust: the input's, or the controller principal of the named
 * management cluster (read from the fleet report, which also says what that cluster already has for the account).
 */
async function managementPrincipal(
  api: CapaFleetApi | undefined,
  input: BootstrapInput,
  notes: string[],
): Promise<string | undefined> {
  let principal = input.managementPrincipalArn;
  if (!input.managementCluster) return principal;
  if (!api)
    throw new InputError(
      'managementCluster needs the capa backend; give managementPrincipalArn instead',
    );
  const report = await api.fleetReport();
  const mgmt = report.managementClusters.find(
    m => m.name === input.managementCluster,
  );
  if (!mgmt) {
    throw new InputError(
      `management cluster ${JSON.stringify(
        input.managementCluster,
      )} is not configured; known: ${
        report.managementClusters.map(m => m.name).join(', ') || 'none'
      }`,
    );
  }
  if (principal && principal !== mgmt.controllerPrincipalArn) {
    notes.push(
      `managementPrincipalArn ${principal} differs from ${mgmt.name}'s configured controllerPrincipalArn ${mgmt.controllerPrincipalArn}; using the input`,
    );
  }
  principal ??= mgmt.controllerPrincipalArn;
  const existing = identitiesForAccount(report, mgmt.name, input.accountId);
  if (existing.length) {
    notes.push(
      `${mgmt.name} already has identities for ${input.accountId}: ${existing
        .map(i => `${i.kind}/${i.name} (${i.verdict})`)
        .join(', ')}`,
    );
  }
  if (
    input.identityName &&
    findIdentity(report, mgmt.name, {
      kind: ROLE_IDENTITY_KIND,
      name: input.identityName,
    })
  ) {
    throw new InputError(
      `AWSClusterRoleIdentity/${input.identityName} already exists on ${mgmt.name}`,
    );
  }
  return principal;
}

/**
 * The target role's trust policy (the principal may assume it, with sts:ExternalId and aws:PrincipalTag
 * conditions when asked) and the management principal's policy that lets it assume the target role.
 */
function bootstrapPolicies(
  input: BootstrapInput,
  principal: string,
  roleArn: string,
) {
  const conditions: Record<string, string> = {};
  if (input.externalId) conditions['sts:ExternalId'] = input.externalId;
  for (const [k, v] of Object.entries(input.principalTags ?? {}))
    conditions[`aws:PrincipalTag/${k}`] = v;
  const trustStatement: PolicyStatement = {
    Sid: 'CapaManagementAssumeRole',
    Effect: 'Allow',
    Principal: { AWS: [principal] },
    Action: ['sts:AssumeRole'],
    ...(Object.keys(conditions).length
      ? { Condition: { StringEquals: conditions } }
      : {}),
  };
  const assumeStatement: PolicyStatement = {
    Sid: 'CapaAssumeTargetRole',
    Effect: 'Allow',
    Action: ['sts:AssumeRole'],
    Resource: [roleArn],
  };
  const trustPolicy: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [trustStatement],
  };
  const managementPolicy: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [assumeStatement],
  };
  return { trustStatement, trustPolicy, assumeStatement, managementPolicy };
}

/** An AWSIAMConfiguration (clusterawsadm) that adds `section` to one role's configuration. */
function iamConfiguration(
  partition: string,
  role: string,
  section: Record<string, unknown>,
): Record<string, unknown> {
  return {
    apiVersion: IAM_CONFIGURATION_API_VERSION,
    kind: 'AWSIAMConfiguration',
    spec: {
      ...(partition !== 'aws' ? { partition } : {}),
      [role]: section,
    },
  };
}

/**
 * The clusterawsadm configurations: the target account's trust statement, and (when the management principal
 * is a clusterawsadm role) the management account's extra statement; with notes on what to do with them.
 */
function bootstrapIamConfigurations(
  input: BootstrapInput,
  partition: string,
  principal: string,
  policies: ReturnType<typeof bootstrapPolicies>,
  notes: string[],
) {
  const targetSection =
    input.namingConvention === 'controllers'
      ? 'clusterAPIControllers'
      : 'controlPlane';
  // clusterawsadm decodes statements case-sensitively and drops Sid-less extras fine; keep the AWS casing.
  const { Sid: _sid, ...clusterawsadmTrust } = policies.trustStatement;
  const targetIamConfiguration = iamConfiguration(partition, targetSection, {
    trustStatements: [clusterawsadmTrust],
  });
  const managementSection = clusterawsadmSectionOf(principal);
  let managementIamConfiguration: Record<string, unknown> | undefined;
  if (managementSection) {
    const { Sid: _s, ...clusterawsadmAssume } = policies.assumeStatement;
    managementIamConfiguration = iamConfiguration(
      partition,
      managementSection,
      { extraStatements: [clusterawsadmAssume] },
    );
    notes.push(
      `Merge spec.${managementSection}.extraStatements into the management account's AWSIAMConfiguration (it becomes an inline policy on ${
        parseRoleArn(principal)!.name
      }) and run clusterawsadm bootstrap iam create-cloudformation-stack there.`,
    );
  } else {
    notes.push(
      `${principal} is not a clusterawsadm role (IRSA / Pod Identity?): attach managementPolicy to it as an inline IAM policy.`,
    );
  }
  return { targetIamConfiguration, managementIamConfiguration };
}

/** What `writeFiles` writes: the two policies as JSON, the clusterawsadm configurations and the identity as YAML. */
function bootstrapFiles(
  dir: string,
  result: Omit<BootstrapResult, 'files' | 'notes' | 'roleArn'>,
) {
  const yaml = (o: unknown) =>
    stringify(o, { aliasDuplicateObjects: false, lineWidth: 0 });
  return [
    {
      path: `${dir}/trust-policy.json`,
      content: `${JSON.stringify(result.trustPolicy, null, 2)}\n`,
    },
    {
      path: `${dir}/management-policy.json`,
      content: `${JSON.stringify(result.managementPolicy, null, 2)}\n`,
    },
    {
      path: `${dir}/iam-target.yaml`,
      content: yaml(result.targetIamConfiguration),
    },
    ...(result.managementIamConfiguration
      ? [
          {
            path: `${dir}/iam-management-change.yaml`,
            content: yaml(result.managementIamConfiguration),
          },
        ]
      : []),
    {
      path: `${dir}/identity.yaml`,
      content: toYaml([result.identityManifest]),
    },
  ];
}

/**
 * Generates everything an account needs to be trusted by a management cluster. Pure apart from reading the report.
 *
 * @public
 */
export async function generateBootstrap(
  api: CapaFleetApi | undefined,
  rawInput: Record<string, unknown>,
): Promise<BootstrapResult> {
  const input = validateBootstrapInput(rawInput);
  const notes: string[] = [];
  const principal = await managementPrincipal(api, input, notes);
  const parsedPrincipal = parseRoleArn(principal);
  if (!principal || !parsedPrincipal)
    throw new InputError(
      `the management principal ${principal} is not a role ARN`,
    );
  const partition = input.partition ?? parsedPrincipal.partition;
  if (partition !== parsedPrincipal.partition) {
    throw new InputError(
      `partition ${partition} differs from the management principal's (${parsedPrincipal.partition}): roles cannot be assumed across partitions`,
    );
  }
  const roleArn = targetRoleArn(
    partition,
    input.accountId,
    input.namingConvention,
  );
  const policies = bootstrapPolicies(input, principal, roleArn);
  const iam = bootstrapIamConfigurations(
    input,
    partition,
    principal,
    policies,
    notes,
  );
  if (input.principalTags && Object.keys(input.principalTags).length) {
    notes.push(
      `The trust policy requires the management principal's tags ${Object.entries(
        input.principalTags,
      )
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')} (IAM role tags, or EKS Pod Identity session tags).`,
    );
  }

  const identityManifest = buildRoleIdentity({
    name:
      input.identityName ??
      (input.accountName
        ? `${input.accountName}-identity`
        : `aws-${input.accountId}`),
    roleArn,
    allowedNamespaces: input.allowedNamespaces,
    externalId: input.externalId,
    durationSeconds: input.durationSeconds,
    sessionName: input.sessionName,
  });
  assertValidObjects(
    [identityManifest],
    'the generated AWSClusterRoleIdentity',
  );
  const generated = {
    managementPrincipalArn: principal,
    trustStatement: policies.trustStatement,
    trustPolicy: policies.trustPolicy,
    managementPolicy: policies.managementPolicy,
    targetIamConfiguration: iam.targetIamConfiguration,
    managementIamConfiguration: iam.managementIamConfiguration,
    identityManifest,
  };
  return {
    roleArn,
    ...generated,
    files: bootstrapFiles(
      input.outputDir ?? `accounts/${input.accountId}`,
      generated,
    ),
    notes,
  };
}

/**
 * `capa:account:bootstrap`: IAM and CAPA configuration that brings a new AWS account into the fleet.
 *
 * @public
 */
export function createCapaAccountBootstrapAction(
  options: {
    api?: CapaFleetApi;
    /** Checks `capa.account.onboard` on the account before anything is generated or written. The module always passes it. */
    permissions?: PermissionsService;
  } = {},
) {
  return createTemplateAction({
    id: 'capa:account:bootstrap',
    description:
      "Generates what a new target account needs: the target role's trust policy (with optional sts:ExternalId and aws:PrincipalTag conditions), the management principal's inline policy, clusterawsadm AWSIAMConfiguration for the target and the management change, and the AWSClusterRoleIdentity. Writes nothing to AWS.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        accountId: z =>
          z
            .string()
            .regex(ACCOUNT_ID_PATTERN)
            .describe('The new target AWS account id'),
        accountName: z =>
          z
            .string()
            .optional()
            .describe('Short name (DNS-1123), used for the identity name'),
        managementCluster: z =>
          z
            .string()
            .optional()
            .describe(
              'Management cluster whose controller principal the account trusts',
            ),
        managementPrincipalArn: z =>
          z
            .string()
            .optional()
            .describe(
              'The management principal, when not read from managementCluster',
            ),
        namingConvention: z =>
          z
            .enum(NAMING_CONVENTIONS)
            .optional()
            .describe(
              'Target role: controllers (clusterawsadm default) or control-plane (DKP)',
            ),
        partition: z =>
          z
            .enum(['aws', 'aws-cn', 'aws-us-gov'])
            .optional()
            .describe("AWS partition (default: the principal's)"),
        externalId: z =>
          z
            .string()
            .optional()
            .describe(
              'sts:ExternalId the trust policy requires and the identity sends',
            ),
        principalTags: z =>
          z
            .record(z.string())
            .optional()
            .describe(
              'aws:PrincipalTag/<key> = value conditions (ABAC, EKS multi-account)',
            ),
        allowedNamespaces: z =>
          z
            .array(z.string())
            .min(1)
            .describe('Namespaces that may use the identity'),
        identityName: z =>
          z
            .string()
            .optional()
            .describe(
              'AWSClusterRoleIdentity name (default <accountName>-identity or aws-<accountId>)',
            ),
        durationSeconds: z =>
          z.number().int().optional().describe('Session duration, 900..43200'),
        sessionName: z => z.string().optional().describe('Role session name'),
        writeFiles: z =>
          z
            .boolean()
            .optional()
            .describe('Write the files into the workspace (default false)'),
        outputDir: z =>
          z
            .string()
            .optional()
            .describe('Workspace folder (default accounts/<accountId>)'),
      },
      output: {
        roleArn: z => z.string().describe('The target role ARN'),
        managementPrincipalArn: z => z.string(),
        trustPolicy: z =>
          z.record(z.any()).describe('Trust policy of the target role'),
        trustPolicyJson: z => z.string(),
        managementPolicy: z =>
          z
            .record(z.any())
            .describe('Inline policy for the management principal'),
        managementPolicyJson: z => z.string(),
        targetIamConfigurationYaml: z =>
          z
            .string()
            .describe(
              'clusterawsadm AWSIAMConfiguration for the target account',
            ),
        managementIamConfigurationYaml: z =>
          z
            .string()
            .optional()
            .describe('clusterawsadm change for the management account'),
        identityManifest: z => z.record(z.any()),
        identityYaml: z => z.string(),
        files: z => z.array(z.string()).describe('Workspace files written'),
        notes: z => z.array(z.string()),
      },
    },
    async handler(ctx) {
      const input = ctx.input as Record<string, unknown>;
      const target = onboardTarget(input);
      await requireCapaPermission(options.permissions, ctx, {
        permission: capaAccountOnboardPermission,
        resourceRef: capaResourceRef.account(
          target.accountId,
          target.managementCluster,
        ),
        what: `onboard account ${target.accountId}`,
      });
      const result = await generateBootstrap(options.api, input);
      let files: string[] = [];
      if (input.writeFiles === true)
        files = await writeWorkspaceFiles(ctx.workspacePath, result.files);
      for (const n of result.notes) ctx.logger.info(n);
      ctx.output('roleArn', result.roleArn);
      ctx.output('managementPrincipalArn', result.managementPrincipalArn);
      ctx.output('trustPolicy', result.trustPolicy as any);
      ctx.output(
        'trustPolicyJson',
        JSON.stringify(result.trustPolicy, null, 2),
      );
      ctx.output('managementPolicy', result.managementPolicy as any);
      ctx.output(
        'managementPolicyJson',
        JSON.stringify(result.managementPolicy, null, 2),
      );
      ctx.output(
        'targetIamConfigurationYaml',
        result.files.find(f => f.path.endsWith('/iam-target.yaml'))!.content,
      );
      const mgmtFile = result.files.find(f =>
        f.path.endsWith('/iam-management-change.yaml'),
      );
      if (mgmtFile)
        ctx.output('managementIamConfigurationYaml', mgmtFile.content);
      ctx.output('identityManifest', result.identityManifest as any);
      ctx.output(
        'identityYaml',
        result.files.find(f => f.path.endsWith('/identity.yaml'))!.content,
      );
      ctx.output('files', files);
      ctx.output('notes', result.notes);
    },
  });
}
