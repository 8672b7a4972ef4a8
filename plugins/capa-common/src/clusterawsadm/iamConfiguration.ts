/* eslint-disable no-nested-ternary */
/*
 * clusterawsadm's AWSIAMConfiguration (bootstrap.aws.infrastructure.cluster.x-k8s.io/v1beta1), read the way
 * cmd/clusterawsadm/cloudformation/bootstrap renders it:
 *
 * - roles `<namePrefix>controllers<nameSuffix>`, `<namePrefix>control-plane<nameSuffix>`, `<namePrefix>nodes<nameSuffix>`;
 *   nameSuffix defaults to `.cluster-api-provider-aws.sigs.k8s.io` (an explicit `""` means no suffix);
 * - the managed policy `<p>controllers<s>` (ControllersPolicy) holds, with `spec.allowAssumeRole: true`,
 *   Allow sts:AssumeRole on `arn:*:iam::*:role/<p>` for each `clusterAPIControllers.allowedEC2InstanceProfiles`
 *   entry (default: `<namePrefix>*<nameSuffix>`); it is attached to the controllers role, to the control-plane
 *   role unless `controlPlane.disableClusterAPIControllerPolicyAttachment`, and to the bootstrapper group when
 *   `bootstrapUser.enable`;
 * - `clusterAPIControllers.extraStatements` are an inline policy of the controllers role only,
 *   `controlPlane.extraStatements` of the control-plane role, `nodes.extraStatements` of the nodes role,
 *   `bootstrapUser.extraStatements` of the bootstrapper user;
 * - trust policies: controllers = Service ec2.amazonaws.com (+ pods.eks.amazonaws.com with sts:TagSession unless
 *   `eks.disable`) + `clusterAPIControllers.trustStatements`; control-plane and nodes = Service ec2.amazonaws.com
 *   + their `trustStatements`;
 * - roles are created without MaxSessionDuration (IAM default: 3600 s).
 *
 * clusterawsadm decodes with the Kubernetes (case-sensitive) JSON decoder: statement keys must be written
 * `Effect`, `Action`, `Resource`, `Principal`, `Condition`, `Sid`, `NotPrincipal`; other keys are dropped.
 */
import type { InputProblem, PolicyStatement } from '../types';
import type { SourcedStatement } from '../iam/evaluate';
import { parseRoleArn } from '../iam/arn';
import { isRecord } from '../records';

export const DEFAULT_NAME_SUFFIX = '.cluster-api-provider-aws.sigs.k8s.io';
export const IAM_CONFIGURATION_GROUP =
  'bootstrap.aws.infrastructure.cluster.x-k8s.io';
/** IAM's default MaxSessionDuration, which clusterawsadm never changes. */
export const CLUSTERAWSADM_MAX_SESSION_DURATION = 3600;

export type ClusterawsadmRoleKey = 'controllers' | 'control-plane' | 'nodes';

/** Which YAML section of the configuration configures a role. */
export const ROLE_SECTIONS: Record<ClusterawsadmRoleKey, string> = {
  controllers: 'clusterAPIControllers',
  'control-plane': 'controlPlane',
  nodes: 'nodes',
};

export interface ClusterawsadmRole {
  key: ClusterawsadmRoleKey;
  /** Full role name, e.g. `controllers.cluster-api-provider-aws.sigs.k8s.io`. */
  name: string;
  path?: string;
  /** Identity (permission) statements that bear on sts:AssumeRole, with their origin. */
  permissionStatements: SourcedStatement[];
  /** Managed policy ARNs attached via extraPolicyAttachments: opaque to us. */
  opaquePolicies: string[];
  /** The trust policy clusterawsadm renders. */
  trustStatements: SourcedStatement[];
  tags: Record<string, string>;
  /** True when the managed controllers policy (with allowAssumeRole) is attached. */
  hasControllersPolicy: boolean;
}

export interface ParsedIamConfiguration {
  source: string;
  namePrefix: string;
  nameSuffix: string;
  partition: string;
  eksEnabled: boolean;
  allowAssumeRole: boolean;
  /** Resolved `arn:*:iam::*:role/<p>` patterns of the allowAssumeRole statement. */
  allowedEC2InstanceProfiles: string[];
  roles: Record<ClusterawsadmRoleKey, ClusterawsadmRole>;
  bootstrapUser?: {
    name: string;
    permissionStatements: SourcedStatement[];
    opaquePolicies: string[];
  };
  problems: InputProblem[];
}

const STATEMENT_KEYS = new Set([
  'Sid',
  'Principal',
  'NotPrincipal',
  'Effect',
  'Action',
  'Resource',
  'Condition',
]);

function strList(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every(x => typeof x === 'string')) return v;
  return undefined;
}

export function managedName(
  cfg: Pick<ParsedIamConfiguration, 'namePrefix' | 'nameSuffix'>,
  name: string,
): string {
  return `${cfg.namePrefix}${name}${cfg.nameSuffix}`;
}

function serviceTrust(services: string[], source: string): SourcedStatement {
  const actions = ['sts:AssumeRole'];
  if (services.includes('pods.eks.amazonaws.com'))
    actions.push('sts:TagSession');
  return {
    statement: {
      Effect: 'Allow',
      Principal: { Service: services },
      Action: actions,
    },
    source,
    index: 0,
  };
}

type Warn = (message: string, severity?: 'error' | 'warning') => void;

/** The spec of an AWSIAMConfiguration document (or the spec itself when given one); defaults on bad shapes. */
function specOf(raw: unknown, warn: Warn): Record<string, any> {
  let spec: Record<string, any> = {};
  if (isRecord(raw)) {
    if (isRecord(raw.spec)) {
      spec = raw.spec;
      if (raw.kind !== undefined && raw.kind !== 'AWSIAMConfiguration') {
        warn(
          `kind is ${JSON.stringify(raw.kind)}, expected AWSIAMConfiguration`,
        );
      }
      if (
        typeof raw.apiVersion === 'string' &&
        !raw.apiVersion.startsWith(`${IAM_CONFIGURATION_GROUP}/`)
      ) {
        warn(
          `apiVersion ${raw.apiVersion} is not ${IAM_CONFIGURATION_GROUP}/v1beta1`,
        );
      }
    } else if (
      raw.spec === undefined &&
      (raw.apiVersion !== undefined || raw.kind !== undefined)
    ) {
      // An AWSIAMConfiguration without spec: all defaults.
    } else if (raw.spec !== undefined && raw.spec !== null) {
      warn('spec must be an object; using defaults', 'error');
    } else {
      spec = raw; // given the spec itself
    }
  } else if (raw !== undefined && raw !== null) {
    warn('AWSIAMConfiguration must be an object; using defaults', 'error');
  }

  return spec;
}

/**
 * The statements of a clusterawsadm list as clusterawsadm decodes them: case-sensitive keys (others dropped,
 * with a warning), an Effect and an Action required.
 */
function readStatements(
  list: unknown,
  path: string,
  source: string,
  warn: Warn,
): SourcedStatement[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) {
    warn(`spec.${path} must be a list of statements`, 'error');
    return [];
  }
  const out: SourcedStatement[] = [];
  list.forEach((s, i) => {
    if (!isRecord(s)) {
      warn(`spec.${path}[${i}] is not a statement`, 'error');
      return;
    }
    const kept: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s)) {
      if (STATEMENT_KEYS.has(k)) kept[k] = v;
      else {
        const hint = [...STATEMENT_KEYS].find(
          x => x.toLowerCase() === k.toLowerCase(),
        );
        warn(
          hint
            ? `spec.${path}[${i}].${k}: clusterawsadm decodes keys case-sensitively and drops it (write ${hint})`
            : `spec.${path}[${i}].${k} is not a clusterawsadm statement field and is dropped`,
        );
      }
    }
    if (kept.Effect !== 'Allow' && kept.Effect !== 'Deny') {
      warn(
        `spec.${path}[${i}] has no valid Effect (Allow or Deny): the statement is invalid`,
        'error',
      );
      return;
    }
    if (!strList(kept.Action)) {
      warn(
        `spec.${path}[${i}] has no Action: the statement is invalid`,
        'error',
      );
      return;
    }
    out.push({
      statement: kept as unknown as PolicyStatement,
      source: `${source}: spec.${path}[${i}]`,
      index: i,
    });
  });
  return out;
}

function stringTags(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isRecord(v))
    for (const [k, val] of Object.entries(v))
      if (typeof val === 'string') out[k] = val;
  return out;
}

interface RoleInputs {
  source: string;
  cfgNames: { namePrefix: string; nameSuffix: string };
  path: string | undefined;
  eksEnabled: boolean;
  controllersPolicy: SourcedStatement[];
  disableAttach: boolean;
  controllers: Record<string, any>;
  controlPlane: Record<string, any>;
  nodes: Record<string, any>;
  statements: (list: unknown, path: string) => SourcedStatement[];
  opaque: (v: unknown, path: string) => string[];
}

/** The three roles clusterawsadm creates (controllers, control-plane, nodes) with their policies and trust. */
function clusterawsadmRoles(
  r: RoleInputs,
): Record<ClusterawsadmRoleKey, ClusterawsadmRole> {
  const {
    source,
    cfgNames,
    path,
    eksEnabled,
    controllersPolicy,
    disableAttach,
  } = r;
  const { controllers, controlPlane, nodes, statements, opaque } = r;
  const tags = stringTags;
  return {
    controllers: {
      key: 'controllers',
      name: managedName(cfgNames, 'controllers'),
      path,
      permissionStatements: [
        ...controllersPolicy,
        ...statements(
          controllers.extraStatements,
          'clusterAPIControllers.extraStatements',
        ),
      ],
      opaquePolicies: opaque(
        controllers.extraPolicyAttachments,
        'clusterAPIControllers.extraPolicyAttachments',
      ),
      trustStatements: [
        serviceTrust(
          eksEnabled
            ? ['ec2.amazonaws.com', 'pods.eks.amazonaws.com']
            : ['ec2.amazonaws.com'],
          `${source}: clusterawsadm default trust`,
        ),
        ...statements(
          controllers.trustStatements,
          'clusterAPIControllers.trustStatements',
        ),
      ],
      tags: tags(controllers.tags),
      hasControllersPolicy: true,
    },
    'control-plane': {
      key: 'control-plane',
      name: managedName(cfgNames, 'control-plane'),
      path,
      permissionStatements: [
        ...(disableAttach ? [] : controllersPolicy),
        ...statements(
          controlPlane.extraStatements,
          'controlPlane.extraStatements',
        ),
      ],
      opaquePolicies: opaque(
        controlPlane.extraPolicyAttachments,
        'controlPlane.extraPolicyAttachments',
      ),
      trustStatements: [
        serviceTrust(
          ['ec2.amazonaws.com'],
          `${source}: clusterawsadm default trust`,
        ),
        ...statements(
          controlPlane.trustStatements,
          'controlPlane.trustStatements',
        ),
      ],
      tags: tags(controlPlane.tags),
      hasControllersPolicy: !disableAttach,
    },
    nodes: {
      key: 'nodes',
      name: managedName(cfgNames, 'nodes'),
      path,
      permissionStatements: statements(
        nodes.extraStatements,
        'nodes.extraStatements',
      ),
      opaquePolicies: opaque(
        nodes.extraPolicyAttachments,
        'nodes.extraPolicyAttachments',
      ),
      trustStatements: [
        serviceTrust(
          ['ec2.amazonaws.com'],
          `${source}: clusterawsadm default trust`,
        ),
        ...statements(nodes.trustStatements, 'nodes.trustStatements'),
      ],
      tags: tags(nodes.tags),
      hasControllersPolicy: false,
    },
  };
}

/** Parses an AWSIAMConfiguration (the whole document, or just its `spec`). Never throws. */
export function parseIamConfiguration(
  raw: unknown,
  source = 'AWSIAMConfiguration',
): ParsedIamConfiguration {
  const problems: InputProblem[] = [];
  const warn: Warn = (message, severity = 'warning') =>
    problems.push({ source, message, severity });
  const spec = specOf(raw, warn);
  const namePrefix = typeof spec.namePrefix === 'string' ? spec.namePrefix : '';
  const nameSuffix =
    typeof spec.nameSuffix === 'string' ? spec.nameSuffix : DEFAULT_NAME_SUFFIX;
  const partition =
    typeof spec.partition === 'string' && spec.partition
      ? spec.partition
      : 'aws';
  const eks = isRecord(spec.eks) ? spec.eks : undefined;
  const eksEnabled = !(eks && eks.disable === true);
  const allowAssumeRole = spec.allowAssumeRole === true;
  if (
    spec.allowAssumeRole !== undefined &&
    typeof spec.allowAssumeRole !== 'boolean'
  ) {
    warn('spec.allowAssumeRole must be a boolean');
  }
  const cfgNames = { namePrefix, nameSuffix };
  const section = (key: string): Record<string, any> =>
    isRecord(spec[key]) ? spec[key] : {};
  const controllers = section('clusterAPIControllers');
  const controlPlane = section('controlPlane');
  const nodes = section('nodes');
  const bootstrapUser = section('bootstrapUser');
  for (const key of [
    'clusterAPIControllers',
    'controlPlane',
    'nodes',
    'bootstrapUser',
  ]) {
    if (spec[key] !== undefined && spec[key] !== null && !isRecord(spec[key]))
      warn(`spec.${key} must be an object`, 'error');
  }
  if ('disabled' in controllers)
    warn(
      'spec.clusterAPIControllers.disabled is not a field (clusterawsadm ignores it; the field is `disable`)',
    );

  const statements = (list: unknown, path: string) =>
    readStatements(list, path, source, warn);
  const profiles = (() => {
    const v = controllers.allowedEC2InstanceProfiles;
    if (v === undefined || v === null) return [managedName(cfgNames, '*')];
    const l = strList(v);
    if (!l) {
      warn(
        'spec.clusterAPIControllers.allowedEC2InstanceProfiles must be a list of strings',
        'error',
      );
      return [managedName(cfgNames, '*')];
    }
    return l;
  })();
  const allowedEC2InstanceProfiles = profiles.map(
    p => `arn:*:iam::*:role/${p}`,
  );
  const controllersPolicySource = `${source}: managed policy ${managedName(
    cfgNames,
    'controllers',
  )}`;
  const controllersPolicy: SourcedStatement[] = allowAssumeRole
    ? [
        {
          statement: {
            Effect: 'Allow',
            Action: ['sts:AssumeRole'],
            Resource: allowedEC2InstanceProfiles,
          },
          source: `${controllersPolicySource} (spec.allowAssumeRole: true, clusterAPIControllers.allowedEC2InstanceProfiles)`,
          index: 0,
        },
      ]
    : [];
  const disableAttach =
    controlPlane.disableClusterAPIControllerPolicyAttachment === true;
  const path =
    typeof controlPlane.path === 'string' && controlPlane.path
      ? controlPlane.path
      : undefined;
  const opaque = (v: unknown, p: string) => {
    const l = strList(v);
    if (v !== undefined && v !== null && !l)
      warn(`spec.${p} must be a list of policy ARNs`);
    return l ?? [];
  };

  const roles = clusterawsadmRoles({
    source,
    cfgNames,
    path,
    eksEnabled,
    controllersPolicy,
    disableAttach,
    controllers,
    controlPlane,
    nodes,
    statements,
    opaque,
  });
  let bu: ParsedIamConfiguration['bootstrapUser'];
  if (bootstrapUser.enable === true) {
    bu = {
      name:
        typeof bootstrapUser.userName === 'string' && bootstrapUser.userName
          ? bootstrapUser.userName
          : 'bootstrapper.cluster-api-provider-aws.sigs.k8s.io',
      permissionStatements: [
        ...controllersPolicy,
        ...statements(
          bootstrapUser.extraStatements,
          'bootstrapUser.extraStatements',
        ),
      ],
      opaquePolicies: opaque(
        bootstrapUser.extraPolicyAttachments,
        'bootstrapUser.extraPolicyAttachments',
      ),
    };
  }
  return {
    source,
    namePrefix,
    nameSuffix,
    partition,
    eksEnabled,
    allowAssumeRole,
    allowedEC2InstanceProfiles,
    roles,
    bootstrapUser: bu,
    problems,
  };
}

/** The clusterawsadm role a role ARN names (by role name), if any. */
export function roleForArn(
  cfg: ParsedIamConfiguration,
  roleArn: string,
): ClusterawsadmRole | undefined {
  const parsed = parseRoleArn(roleArn);
  if (!parsed) return undefined;
  for (const role of Object.values(cfg.roles)) {
    if (role.name === parsed.name) return role;
  }
  return undefined;
}

/** `arn:<partition>:iam::<account>:role/<path><name>` of a clusterawsadm role. */
export function roleArnOf(
  cfg: ParsedIamConfiguration,
  key: ClusterawsadmRoleKey,
  accountId: string,
): string {
  const role = cfg.roles[key];
  const p = role.path
    ? role.path.startsWith('/')
      ? role.path
      : `/${role.path}`
    : '/';
  const withSlash = p.endsWith('/') ? p : `${p}/`;
  return `arn:${cfg.partition}:iam::${accountId}:role${withSlash}${role.name}`;
}

/** The default management principal of an account configured by this AWSIAMConfiguration. */
export function defaultControllerPrincipal(
  cfg: ParsedIamConfiguration | undefined,
  accountId: string,
): string {
  if (!cfg)
    return `arn:aws:iam::${accountId}:role/controllers${DEFAULT_NAME_SUFFIX}`;
  return roleArnOf(cfg, 'controllers', accountId);
}
