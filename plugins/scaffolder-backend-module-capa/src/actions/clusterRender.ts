import type { PermissionsService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { KubeObject } from '@capa-portal/plugin-capa-common';
import {
  capaClusterCreatePermission,
  capaResourceRef,
  IDENTITY_KINDS,
  isNamespaceAllowed,
} from '@capa-portal/plugin-capa-common';
import {
  type CrdSchemaRegistry,
  objectRef,
} from '@capa-portal/plugin-capa-node';
import {
  ClusterSpec,
  Flavour,
  NodePoolSpec,
  assertValidObjects,
  buildClusterObjects,
  controlPlaneName,
  poolObjectName,
  toYaml,
  writeWorkspaceFiles,
} from '../lib/manifests';
import {
  FieldErrors,
  MAX_EKS_CLUSTER_NAME,
  MAX_EKS_NODEGROUP_NAME,
  MAX_NAME,
} from '../lib/validation';
import { requireCapaPermission } from '../lib/permissions';
import { examples } from './clusterRender.examples';

export const FLAVOURS = ['eks', 'kubeadm'] as const;
const MAX_NODE_POOLS = 10;
const MAX_NODES = 1000;

export interface RenderInput extends ClusterSpec {
  identityManifest?: KubeObject;
  outputPath: string;
  writeFiles: boolean;
}

/**
 * Validates every input of a cluster render; throws one InputError naming every bad field. Names derived
 * from the cluster name (`<name>-control-plane`, `<name>-<pool>`) must fit too.
 */
/** The identityRef to write: `{kind, name}`, the controller identity named default. */
function readIdentityRef(
  errors: FieldErrors,
  input: Record<string, unknown>,
): ClusterSpec['identityRef'] | undefined {
  const rawRef = input.identityRef as Record<string, unknown> | undefined;
  if (!rawRef || typeof rawRef !== 'object' || Array.isArray(rawRef)) {
    errors.add(
      'identityRef',
      'is required ({kind, name}; capa:identity:resolve outputs it)',
    );
  } else {
    const kind = errors.oneOf('identityRef.kind', rawRef.kind, IDENTITY_KINDS, {
      required: true,
    });
    const refName = errors.dnsSubdomain('identityRef.name', rawRef.name);
    if (
      kind === 'AWSClusterControllerIdentity' &&
      refName &&
      refName !== 'default'
    ) {
      errors.add(
        'identityRef.name',
        'the AWSClusterControllerIdentity is always named default',
      );
    }
    if (kind && refName) return { kind, name: refName };
  }

  return undefined;
}

/** One node pool, or undefined when it is not usable (its errors added); names must fit with the cluster's. */
function readNodePool(
  errors: FieldErrors,
  p: any,
  i: number,
  seen: Set<string>,
  name: string | undefined,
  flavour: Flavour | undefined,
): NodePoolSpec | undefined {
  const f = `nodePools[${i}]`;
  if (!p || typeof p !== 'object') {
    errors.add(f, 'must be an object');
    return undefined;
  }
  const poolName = errors.dnsLabel(`${f}.name`, p.name ?? `pool-${i}`, {
    max: 40,
  });
  const instanceType = errors.instanceType(`${f}.instanceType`, p.instanceType);
  const minSize = errors.integer(`${f}.minSize`, p.minSize ?? 1, {
    min: 0,
    max: MAX_NODES,
  });
  const maxSize = errors.integer(`${f}.maxSize`, p.maxSize ?? p.minSize ?? 1, {
    min: 1,
    max: MAX_NODES,
  });
  const diskSizeGiB = errors.integer(`${f}.diskSizeGiB`, p.diskSizeGiB, {
    min: 8,
    max: 16384,
  });
  if (minSize !== undefined && maxSize !== undefined && minSize > maxSize) {
    errors.add(`${f}.minSize`, `${minSize} is greater than maxSize ${maxSize}`);
  }
  if (poolName && seen.has(poolName))
    errors.add(`${f}.name`, `${poolName} is used twice`);
  if (poolName) seen.add(poolName);
  if (name && poolName) {
    const objectName = poolObjectName(name, poolName);
    const max = flavour === 'eks' ? MAX_EKS_NODEGROUP_NAME : MAX_NAME;
    if (objectName.length > max) {
      errors.add(
        `${f}.name`,
        `${objectName} (cluster name + pool name) is ${objectName.length} characters; at most ${max}`,
      );
    }
  }
  if (
    poolName &&
    instanceType &&
    minSize !== undefined &&
    maxSize !== undefined &&
    minSize <= maxSize
  ) {
    return {
      name: poolName,
      instanceType,
      minSize,
      maxSize,
      ...(diskSizeGiB ? { diskSizeGiB } : {}),
    };
  }
  return undefined;
}

/** The kubeadm control plane: instance type and an odd number of replicas (etcd quorum). */
function readControlPlane(
  errors: FieldErrors,
  input: Record<string, unknown>,
): ClusterSpec['controlPlane'] {
  const cp = (input.controlPlane ?? {}) as Record<string, unknown>;
  const instanceType = errors.instanceType(
    'controlPlane.instanceType',
    cp.instanceType ?? 'm6i.large',
  );
  const replicas = errors.integer('controlPlane.replicas', cp.replicas ?? 3, {
    min: 1,
    max: 7,
  });
  if (replicas !== undefined && replicas % 2 === 0)
    errors.add(
      'controlPlane.replicas',
      `${replicas}: use an odd number for etcd quorum (1, 3, 5, 7)`,
    );
  if (instanceType && replicas !== undefined) return { instanceType, replicas };
  return undefined;
}

/** The identity capa:identity:resolve generated, when new: it must be the identityRef and admit the namespace. */
function readIdentityManifest(
  errors: FieldErrors,
  input: Record<string, unknown>,
  identityRef: ClusterSpec['identityRef'] | undefined,
  namespace: string | undefined,
): KubeObject | undefined {
  if (
    input.identityManifest !== undefined &&
    input.identityManifest !== null &&
    input.identityManifest !== ''
  ) {
    const m = input.identityManifest as KubeObject;
    if (
      typeof m !== 'object' ||
      Array.isArray(m) ||
      m.kind !== 'AWSClusterRoleIdentity'
    ) {
      errors.add(
        'identityManifest',
        'must be the AWSClusterRoleIdentity that capa:identity:resolve generated',
      );
    } else {
      const idName = errors.dnsSubdomain(
        'identityManifest.metadata.name',
        m.metadata?.name,
      );
      if (
        identityRef &&
        idName &&
        (identityRef.kind !== m.kind || identityRef.name !== idName)
      ) {
        errors.add(
          'identityManifest',
          `is ${m.kind}/${idName} but identityRef names ${identityRef.kind}/${identityRef.name}`,
        );
      }
      if (
        namespace &&
        !isNamespaceAllowed(m.spec?.allowedNamespaces, namespace).allowed
      ) {
        errors.add(
          'identityManifest',
          `its allowedNamespaces does not admit namespace ${namespace}`,
        );
      }
      errors.roleArn('identityManifest.spec.roleARN', m.spec?.roleARN);
      return m;
    }
  }

  return undefined;
}

export function validateRenderInput(
  input: Record<string, unknown>,
): RenderInput {
  const errors = new FieldErrors();
  const flavour = errors.oneOf('flavour', input.flavour ?? 'eks', FLAVOURS, {
    required: true,
  }) as Flavour | undefined;
  const name = errors.dnsLabel('name', input.name);
  const namespace = errors.dnsLabel('namespace', input.namespace);
  const region = errors.region('region', input.region);
  const kubernetesVersion = errors.kubernetesVersion(
    'kubernetesVersion',
    input.kubernetesVersion,
  );
  if (
    kubernetesVersion &&
    flavour === 'kubeadm' &&
    !/^v?1\.\d+\.\d+$/.test(kubernetesVersion)
  ) {
    errors.add(
      'kubernetesVersion',
      `${JSON.stringify(
        kubernetesVersion,
      )}: kubeadm clusters need a patch version (like v1.33.6)`,
    );
  }
  const owner = errors.entityRef('owner', input.owner);
  const system = errors.entityRef('system', input.system);
  const tags = errors.tags('tags', input.tags);
  const sshKeyName = errors.string('sshKeyName', input.sshKeyName, {
    max: 255,
    pattern: /^[\w.-]+$/,
    patternText: 'is not an EC2 key pair name',
  });

  const identityRef = readIdentityRef(errors, input);

  const nodePools: NodePoolSpec[] = [];
  const rawPools = input.nodePools ?? [
    { name: 'pool-0', instanceType: 'm6i.large', minSize: 2, maxSize: 4 },
  ];
  if (!Array.isArray(rawPools) || rawPools.length === 0) {
    errors.add('nodePools', 'must list at least one node pool');
  } else if (rawPools.length > MAX_NODE_POOLS) {
    errors.add('nodePools', `at most ${MAX_NODE_POOLS} node pools`);
  } else {
    const seen = new Set<string>();
    rawPools.forEach((p: any, i: number) => {
      const pool = readNodePool(errors, p, i, seen, name, flavour);
      if (pool) nodePools.push(pool);
    });
  }

  const controlPlane =
    flavour === 'kubeadm' ? readControlPlane(errors, input) : undefined;
  if (name) {
    const cpName = controlPlaneName(name);
    if (cpName.length > MAX_NAME)
      errors.add(
        'name',
        `${cpName} is ${
          cpName.length
        } characters; keep the cluster name at most ${
          MAX_NAME - '-control-plane'.length
        }`,
      );
    if (flavour === 'eks' && name.length > MAX_EKS_CLUSTER_NAME)
      errors.add(
        'name',
        `EKS cluster names are at most ${MAX_EKS_CLUSTER_NAME} characters`,
      );
  }

  const identityManifest = readIdentityManifest(
    errors,
    input,
    identityRef,
    namespace,
  );
  const kubeletExtraArgs = validateKubeletExtraArgs(errors, input);

  const outputPath =
    errors.workspacePath('outputPath', input.outputPath) ??
    (namespace && name ? `clusters/${namespace}/${name}.yaml` : '');
  if (input.writeFiles !== undefined && typeof input.writeFiles !== 'boolean')
    errors.add('writeFiles', 'must be true or false');
  errors.throwIfAny('capa:cluster:render');
  return {
    name: name!,
    namespace: namespace!,
    flavour: flavour!,
    region: region!,
    kubernetesVersion: kubernetesVersion!,
    identityRef: identityRef!,
    nodePools,
    controlPlane,
    owner,
    system,
    tags,
    sshKeyName,
    ...(kubeletExtraArgs ? { kubeletExtraArgs } : {}),
    identityManifest,
    outputPath,
    writeFiles: input.writeFiles !== false,
  };
}

/** kubeadm only: `[{name, value}]` kubelet flags; each a safe string (uniqueness is the CRD's CEL rule). */
function validateKubeletExtraArgs(
  errors: FieldErrors,
  input: Record<string, unknown>,
): ClusterSpec['kubeletExtraArgs'] {
  const raw = input.kubeletExtraArgs;
  if (raw === undefined) return undefined;
  if (input.flavour !== 'kubeadm') {
    errors.add('kubeletExtraArgs', 'applies to the kubeadm flavour only');
    return undefined;
  }
  if (!Array.isArray(raw)) {
    errors.add('kubeletExtraArgs', 'must be a list of {name, value}');
    return undefined;
  }
  return raw.map((a: any, i: number) => ({
    name:
      errors.string(`kubeletExtraArgs[${i}].name`, a?.name, {
        required: true,
        max: 256,
        pattern: /^[a-z0-9][a-z0-9-]*$/,
        patternText: 'is not a kubelet flag name',
      }) ?? '',
    value:
      errors.string(`kubeletExtraArgs[${i}].value`, a?.value, {
        max: 4096,
      }) ?? '',
  }));
}

/** @public */
export interface RenderResult {
  manifests: KubeObject[];
  yaml: string;
  files: string[];
  objects: string[];
}

/**
 * Validates, builds, schema-validates and (only then) writes.
 *
 * @public
 */
export async function renderCluster(
  rawInput: Record<string, unknown>,
  options: {
    workspacePath?: string;
    registry?: CrdSchemaRegistry;
    /** Called once everything is valid, just before the file is written (the permission check). */
    beforeWrite?: () => Promise<void>;
  },
): Promise<RenderResult> {
  const input = validateRenderInput(rawInput);
  const manifests = [
    ...(input.identityManifest ? [input.identityManifest] : []),
    ...buildClusterObjects(input),
  ];
  assertValidObjects(
    manifests,
    `the manifests of ${input.namespace}/${input.name}`,
    options.registry,
  );
  const yaml = toYaml(manifests);
  let files: string[] = [];
  if (input.writeFiles && options.workspacePath) {
    if (!input.outputPath)
      throw new InputError('outputPath could not be derived');
    await options.beforeWrite?.();
    files = await writeWorkspaceFiles(options.workspacePath, [
      { path: input.outputPath, content: yaml },
    ]);
  }
  return { manifests, yaml, files, objects: manifests.map(objectRef) };
}

/** The account and management cluster the rendered cluster is for, when the input names both. */
function renderTarget(
  input: Record<string, unknown>,
): { accountId: string; managementCluster: string } | undefined {
  if (input.accountId === undefined && input.managementCluster === undefined)
    return undefined;
  const errors = new FieldErrors();
  const accountId = errors.accountId('accountId', input.accountId);
  const managementCluster = errors.managementCluster(
    'managementCluster',
    input.managementCluster,
    { required: true },
  );
  errors.throwIfAny('capa:cluster:render');
  return { accountId: accountId!, managementCluster: managementCluster! };
}

/**
 * `capa:cluster:render`: the CAPA / CAPI v1beta2 manifests of a workload cluster (EKS or kubeadm).
 *
 * @public
 */
export function createCapaClusterRenderAction(
  options: {
    registry?: CrdSchemaRegistry;
    /**
     * Checks `capa.cluster.create` before the file is written (pull-request delivery), when the input names
     * the target `accountId` and `managementCluster`. The module always passes it.
     */
    permissions?: PermissionsService;
  } = {},
) {
  return createTemplateAction({
    id: 'capa:cluster:render',
    description:
      'Renders the CAPA/CAPI v1beta2 manifests of a workload cluster (flavour eks or kubeadm), validates every object against the CRD schemas, and writes them as one multi-document YAML file into the workspace.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        name: z =>
          z.string().min(1).max(63).describe('Cluster name (DNS-1123 label)'),
        namespace: z =>
          z
            .string()
            .min(1)
            .max(63)
            .describe('Namespace in the management cluster'),
        flavour: z =>
          z
            .enum(FLAVOURS)
            .optional()
            .describe(
              'eks (AWSManagedControlPlane + managed node groups, default) or kubeadm',
            ),
        region: z => z.string().describe('AWS region, e.g. eu-west-1'),
        kubernetesVersion: z =>
          z
            .string()
            .describe('Kubernetes version: v1.33 (EKS) or v1.33.6 (kubeadm)'),
        identityRef: z =>
          z
            .object({ kind: z.string(), name: z.string() })
            .describe('identityRef (from capa:identity:resolve)'),
        identityManifest: z =>
          z
            .record(z.any())
            .optional()
            .describe(
              'The AWSClusterRoleIdentity capa:identity:resolve generated (included first)',
            ),
        nodePools: z =>
          z
            .array(
              z.object({
                name: z.string().optional(),
                instanceType: z.string(),
                minSize: z.number().int().optional(),
                maxSize: z.number().int().optional(),
                diskSizeGiB: z.number().int().optional(),
              }),
            )
            .optional()
            .describe('Worker pools (default: one pool-0 of m6i.large, 2..4)'),
        controlPlane: z =>
          z
            .object({
              instanceType: z.string().optional(),
              replicas: z.number().int().optional(),
            })
            .optional()
            .describe(
              'kubeadm only: control plane instance type and replicas (default m6i.large x 3)',
            ),
        owner: z =>
          z
            .string()
            .optional()
            .describe(
              'Owner entity ref, written as the capa-portal.io/owner annotation of the Cluster',
            ),
        system: z =>
          z
            .string()
            .optional()
            .describe(
              'System entity ref, written as the capa-portal.io/system annotation',
            ),
        tags: z =>
          z.record(z.string()).optional().describe('AWS tags (additionalTags)'),
        sshKeyName: z =>
          z.string().optional().describe('kubeadm only: EC2 key pair name'),
        kubeletExtraArgs: z =>
          z
            .array(z.object({ name: z.string(), value: z.string() }))
            .optional()
            .describe(
              'kubeadm only: kubelet flags added after cloud-provider=external on every node (names must be unique)',
            ),
        outputPath: z =>
          z
            .string()
            .optional()
            .describe(
              'Workspace file to write (default clusters/<namespace>/<name>.yaml)',
            ),
        writeFiles: z =>
          z
            .boolean()
            .optional()
            .describe('Write the file into the workspace (default true)'),
        accountId: z =>
          z
            .string()
            .optional()
            .describe(
              'The AWS account the cluster is created in: with managementCluster, capa.cluster.create is checked before the file is written',
            ),
        managementCluster: z =>
          z
            .string()
            .optional()
            .describe('The management cluster that will create the cluster'),
      },
      output: {
        manifests: z =>
          z.array(z.record(z.any())).describe('The objects, in apply order'),
        yaml: z => z.string().describe('The objects as multi-document YAML'),
        files: z => z.array(z.string()).describe('Workspace files written'),
        objects: z =>
          z.array(z.string()).describe('Kind/namespace/name of each object'),
      },
    },
    async handler(ctx) {
      const input = ctx.input as Record<string, unknown>;
      const target = renderTarget(input);
      const result = await renderCluster(input, {
        workspacePath: ctx.workspacePath,
        registry: options.registry,
        beforeWrite: target
          ? () =>
              requireCapaPermission(options.permissions, ctx, {
                permission: capaClusterCreatePermission,
                resourceRef: capaResourceRef.account(
                  target.accountId,
                  target.managementCluster,
                ),
                what: `create a cluster in account ${target.accountId} from ${target.managementCluster}`,
              })
          : undefined,
      });
      ctx.logger.info(
        `rendered ${result.objects.length} objects: ${result.objects.join(
          ', ',
        )}${result.files.length ? ` into ${result.files.join(', ')}` : ''}`,
      );
      ctx.output('manifests', result.manifests as any);
      ctx.output('yaml', result.yaml);
      ctx.output('files', result.files);
      ctx.output('objects', result.objects);
    },
  });
}
