import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { NotFoundError } from '@backstage/errors';
import { CapaAccessControl } from './permissions/CapaAccess';
import { accountScope } from './permissions/scopes';
import { TrustService } from './services/TrustService';

const VERDICTS = [
  'broken',
  'degraded',
  'trusted',
  'configured',
  'unknown',
] as const;

/**
 * Registers capa-portal's read-only questions in Backstage's actions registry, so AI agents (MCP) can ask
 * them: one account's trust report, and the cluster list. They answer exactly as the REST routes do for the
 * same caller: `capa.account.read` denied outright is an error naming it; otherwise the cluster list holds
 * only readable clusters (its total too) and an account the caller may not read is "not in the fleet", as one
 * that does not exist. (The registry's `visibilityPermission` takes only basic permissions, and
 * `capa.account.read` is a resource permission, so the actions check it themselves.)
 */
export function registerCapaActions(options: {
  actionsRegistry: ActionsRegistryService;
  trust: TrustService;
  access: CapaAccessControl;
}) {
  const { actionsRegistry, trust, access } = options;

  actionsRegistry.register({
    name: 'get-aws-account-trust',
    title: 'Get the CAPA trust report of an AWS account',
    description:
      'Tells whether Cluster API Provider AWS management clusters can provision into an AWS account: the verdict ' +
      '(trusted, configured, degraded, broken, unknown) and every check (identity chain, allowedNamespaces, target ' +
      'role trust policy, source permission, live STS) with its message and the fix for failing checks.',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({
          accountId: z
            .string()
            .regex(/^[0-9]{12}$/)
            .describe('The 12-digit AWS account id'),
        }),
      output: z =>
        z.object({
          accountId: z.string(),
          name: z.string().optional(),
          verdict: z.enum(VERDICTS),
          checks: z.array(
            z.object({
              id: z.string(),
              status: z.string(),
              message: z.string(),
              fix: z.string().optional(),
            }),
          ),
          clusters: z.array(
            z.object({
              managementCluster: z.string(),
              namespace: z.string(),
              name: z.string(),
              verdict: z.string(),
            }),
          ),
        }),
    },
    examples: [
      { title: 'The staging account', input: { accountId: '222222222222' } },
    ],
    action: async ({ input, credentials }) => {
      const report = await trust.report();
      const caller = await access.forCaller(credentials, report, {
        scope: () => accountScope(report, input.accountId),
      });
      if (!caller.canRead(caller.index.account(input.accountId)))
        throw new NotFoundError(
          `No AWS account ${input.accountId} in the fleet`,
        );
      const { account, clusters } = await trust.accountTrust(
        input.accountId,
        caller.view,
      );
      const checks = [...account.checks, ...clusters.flatMap(c => c.checks)];
      const seen = new Set<string>();
      return {
        output: {
          accountId: account.accountId,
          name: account.name,
          verdict: account.verdict,
          checks: checks
            .filter(c => {
              const key = `${c.id}|${c.status}|${c.message}`;
              if (seen.has(key)) return false;
              seen.add(key);
              return true;
            })
            .map(c => ({
              id: c.id,
              status: c.status,
              message: c.message,
              fix: c.fix?.summary,
            })),
          clusters: clusters.map(c => ({
            managementCluster: c.managementCluster,
            namespace: c.namespace,
            name: c.name,
            verdict: c.verdict,
          })),
        },
      };
    },
  });

  actionsRegistry.register({
    name: 'list-capa-clusters',
    title: 'List CAPA workload clusters',
    description:
      'Lists Cluster API Provider AWS workload clusters across management clusters with their AWS account, ' +
      'namespace, phase and trust verdict. Filter by management cluster, account, namespace, verdict or text.',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({
          managementCluster: z.string().optional(),
          accountId: z
            .string()
            .regex(/^[0-9]{12}$/)
            .optional(),
          namespace: z.string().optional(),
          verdict: z.enum(VERDICTS).optional(),
          q: z
            .string()
            .max(200)
            .optional()
            .describe('Text to search in names, namespaces and accounts'),
          limit: z.number().int().min(1).max(1000).optional(),
        }),
      output: z =>
        z.object({
          totalCount: z.number(),
          clusters: z.array(
            z.object({
              managementCluster: z.string(),
              namespace: z.string(),
              name: z.string(),
              accountId: z.string().optional(),
              phase: z.string().optional(),
              verdict: z.string(),
              flavour: z.string(),
            }),
          ),
        }),
    },
    examples: [{ title: 'Broken clusters', input: { verdict: 'broken' } }],
    action: async ({ input, credentials }) => {
      const caller = await access.forCaller(credentials, await trust.report(), {
        scope: 'all',
      });
      const { items, totalCount } = await trust.clusters(
        { ...input, limit: input.limit ?? 100 },
        caller.view,
      );
      return {
        output: {
          totalCount,
          clusters: items.map(c => ({
            managementCluster: c.managementCluster,
            namespace: c.namespace,
            name: c.name,
            accountId: c.accountId,
            phase: c.phase,
            verdict: c.verdict,
            flavour: c.flavour,
          })),
        },
      };
    },
  });
}
