import {
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { createValidatedOpenApiRouter } from '@backstage/backend-openapi-utils';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  capaClusterCreatePermission,
  capaResourceRef,
  capaTrustVerifyPermission,
  ClustersQuery,
  OnboardingGapsQuery,
  Verdict,
} from '@capa-portal/plugin-capa-common';
import express from 'express';
import { CapaAccessControl } from './permissions/CapaAccess';
import {
  accountScope,
  clusterScope,
  identityScope,
} from './permissions/scopes';
import { spec } from './schema/openapi.generated';
import { SerializedResponse, TrustService } from './services/TrustService';
import { WorkloadAccessService } from './services/WorkloadAccessService';

const ACCOUNT_ID = /^[0-9]{12}$/;
const VERDICTS: Verdict[] = [
  'broken',
  'degraded',
  'trusted',
  'configured',
  'unknown',
];

export interface RouterOptions {
  trust: TrustService;
  workloadAccess?: WorkloadAccessService;
  httpAuth: HttpAuthService;
  access: CapaAccessControl;
  logger: LoggerService;
}

/**
 * The REST API under /api/capa (src/schema/openapi.yaml). The framework's auth policy makes every route require
 * Backstage credentials (401 without). Then, per route, `capa.account.read` (a resource permission):
 * - denied outright: 403 naming the permission, on every route;
 * - otherwise lists hold only what the caller may read (their totals and counts too), and a single account,
 *   cluster or identity the caller may not read answers 404 with the same message as one that does not
 *   exist, so a refusal never reveals whether it exists;
 * - `POST .../verify` of a readable account the policy does not let the caller verify: 403 naming
 *   `capa.trust.verify`.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { trust, httpAuth, access } = options;
  // The OpenAPI router validates every request against the spec (400 with the failing field); handlers are
  // typed with capa-common's response types rather than the spec's loose response schemas.
  const router = createValidatedOpenApiRouter(
    spec,
  ) as unknown as express.Router;

  const credentialsOf = (req: express.Request): Promise<BackstageCredentials> =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });

  /** The caller's access to the current report; `scope` names the catalog entities to ask about. */
  async function callerAccess(
    req: express.Request,
    scope: (
      report: Awaited<ReturnType<TrustService['report']>>,
    ) => 'all' | string[],
    also: Array<typeof capaTrustVerifyPermission> = [],
  ) {
    const credentials = await credentialsOf(req);
    const report = await trust.report();
    return access.forCaller(credentials, report, {
      scope: () => scope(report),
      also,
    });
  }

  function accountIdOf(req: express.Request): string {
    const accountId = String(req.params.accountId);
    if (!ACCOUNT_ID.test(accountId)) {
      throw new InputError(`accountId must be 12 digits, got "${accountId}"`);
    }
    return accountId;
  }

  const notFoundAccount = (accountId: string) =>
    new NotFoundError(`No AWS account ${accountId} in the fleet`);

  router.get('/management-clusters', async (req, res) => {
    const caller = await callerAccess(req, () => 'all');
    res.json({ items: await trust.managementClusters(caller.view) });
  });

  router.get('/report', async (req, res) => {
    const caller = await callerAccess(req, () => 'all');
    if (caller.unrestricted) {
      // The catalog modules poll this: an unchanged report costs neither serialising nor sending.
      res.set('ETag', await trust.fleetReportTag());
      if (req.fresh) {
        res.status(304).end();
        return;
      }
    }
    res.json(await trust.fleetReport(caller.view));
  });

  /** A body serialised once with its weak ETag: 304 when the caller holds it. */
  function sendSerialized(
    req: express.Request,
    res: express.Response,
    serialized: SerializedResponse,
  ) {
    res.set('ETag', serialized.etag);
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    res.type('application/json');
    res.send(serialized.body);
  }

  // The catalog module's parts of the fleet (CatalogFleetView): one request per entity provider, each with its
  // own tag, so a change in one management cluster downloads only that management cluster's part.
  router.get('/catalog-view/accounts', async (req, res) => {
    const caller = await callerAccess(req, () => 'all');
    sendSerialized(
      req,
      res,
      await trust.catalogView({ type: 'accounts' }, caller.view),
    );
  });

  router.get('/catalog-view/management-clusters/:name', async (req, res) => {
    const caller = await callerAccess(req, () => 'all');
    sendSerialized(
      req,
      res,
      await trust.catalogView(
        { type: 'management-cluster', name: req.params.name },
        caller.view,
      ),
    );
  });

  router.get('/accounts', async (req, res) => {
    const caller = await callerAccess(req, () => 'all', [
      capaTrustVerifyPermission,
      capaClusterCreatePermission,
    ]);
    const namespace =
      typeof req.query.namespace === 'string' ? req.query.namespace : undefined;
    const managementCluster =
      typeof req.query.managementCluster === 'string'
        ? req.query.managementCluster
        : undefined;
    if (managementCluster !== undefined && namespace === undefined)
      throw new InputError('managementCluster needs namespace');
    const { items, generatedAt } = await trust.accounts(
      caller.view,
      namespace ? { namespace, managementCluster } : undefined,
    );
    res.json({
      generatedAt,
      items: items.map(a => {
        const resource = caller.index.account(a.accountId);
        return {
          ...a,
          allowed: {
            verify: caller.may(capaTrustVerifyPermission, resource),
            createCluster: caller.may(capaClusterCreatePermission, resource),
          },
        };
      }),
    });
  });

  router.get('/accounts/:accountId/trust', async (req, res) => {
    const accountId = accountIdOf(req);
    const caller = await callerAccess(req, r => accountScope(r, accountId));
    if (!caller.canRead(caller.index.account(accountId)))
      throw notFoundAccount(accountId);
    if (caller.unrestricted) {
      // Serialised once per report (with its ETag, so express hashes nothing and answers 304 when fresh).
      const { body, etag } = await trust.accountTrustSerialized(accountId);
      res.set('ETag', etag);
      res.type('application/json');
      res.send(body);
      return;
    }
    res.json(await trust.accountTrust(accountId, caller.view));
  });

  router.post('/accounts/:accountId/trust/verify', async (req, res) => {
    const accountId = accountIdOf(req);
    const caller = await callerAccess(req, r => accountScope(r, accountId), [
      capaTrustVerifyPermission,
    ]);
    const account = caller.index.account(accountId);
    if (!caller.canRead(account)) throw notFoundAccount(accountId);
    if (!caller.may(capaTrustVerifyPermission, account))
      throw new NotAllowedError(
        `Permission ${capaTrustVerifyPermission.name} is required`,
      );
    res.json(await trust.verifyAccount(accountId, caller.view));
  });

  router.get('/clusters', async (req, res) => {
    const query = parseClustersQuery(req.query);
    const caller = await callerAccess(req, () => 'all');
    res.json(await trust.clusters(query, caller.view));
  });

  router.get(
    '/clusters/:managementCluster/:namespace/:name',
    async (req, res) => {
      const { managementCluster, namespace, name } = req.params;
      const caller = await callerAccess(req, () =>
        clusterScope({ managementCluster, namespace, name }),
      );
      // Through the caller's view, a cluster the caller may not read is not found, with the same message.
      res.json(
        await trust.cluster(managementCluster, namespace, name, caller.view),
      );
    },
  );

  // Workload access (docs/contracts.md §4.1): the cluster must be readable (404 otherwise, as above); each role is
  // shown when the caller may read its account (capa.account.read), the others are only counted.
  router.get(
    '/clusters/:managementCluster/:namespace/:name/workload-access',
    async (req, res) => {
      const { managementCluster, namespace, name } = req.params;
      if (!options.workloadAccess)
        throw new NotFoundError(
          'workload access is not served by this backend',
        );
      const caller = await callerAccess(req, () => 'all');
      const report = await options.workloadAccess.clusterAccess(
        managementCluster,
        namespace,
        name,
        caller.view,
      );
      if (caller.unrestricted) {
        res.json({ ...report, hiddenRoleCount: 0 });
        return;
      }
      const roles = report.roles.filter(
        r =>
          r.accountId !== undefined &&
          caller.canRead(
            caller.index.account(r.accountId) ??
              caller.index.resolve(capaResourceRef.account(r.accountId)),
          ),
      );
      res.json({
        ...report,
        roles,
        hiddenRoleCount: report.roles.length - roles.length,
      });
    },
  );

  router.get('/identities/:managementCluster/:name/chain', async (req, res) => {
    const { managementCluster, name } = req.params;
    const kind =
      typeof req.query.kind === 'string' ? req.query.kind : undefined;
    const caller = await callerAccess(req, r =>
      identityScope(r, managementCluster, name),
    );
    res.json(
      await trust.identityChain(managementCluster, name, kind, caller.view),
    );
  });

  router.get('/onboarding-gaps', async (req, res) => {
    const query = parseOnboardingGapsQuery(req.query);
    const caller = await callerAccess(req, () => 'all');
    res.json(
      await trust.onboardingGaps(query, {
        view: caller.view,
        // An account no identity targets: its configured owner and tier when it is in config, else a resource with
        // none (and no catalog entity), which only an unconditional read (or IS_KIND / IN_ACCOUNT) lets through.
        mayList: a =>
          caller.canRead(
            caller.index.account(a.accountId) ??
              caller.index.resolve(capaResourceRef.account(a.accountId)),
          ),
      }),
    );
  });

  router.get('/trust-map', async (req, res) => {
    const caller = await callerAccess(req, () => 'all');
    res.json(await trust.trustMap(caller.view));
  });

  return router;
}

function parseOnboardingGapsQuery(
  query: Record<string, unknown>,
): OnboardingGapsQuery {
  const { ou, tag } = query;
  if (ou !== undefined && typeof ou !== 'string')
    throw new InputError('query parameter ou must be given once');
  let tags: unknown[] = [];
  if (Array.isArray(tag)) tags = tag;
  else if (tag !== undefined) tags = [tag];
  for (const t of tags) {
    if (typeof t !== 'string' || !t || t.startsWith('='))
      throw new InputError(
        `query parameter tag must be key or key=value, got ${JSON.stringify(
          t,
        )}`,
      );
  }
  return {
    ...(ou ? { ou } : {}),
    ...(tags.length ? { tag: tags as string[] } : {}),
  };
}

function parseClustersQuery(query: Record<string, unknown>): ClustersQuery {
  const str = (key: string) => {
    const v = query[key];
    if (v === undefined) return undefined;
    if (typeof v === 'number') return String(v); // coerced by the OpenAPI validator
    if (typeof v !== 'string')
      throw new InputError(`query parameter ${key} must be given once`);
    return v;
  };
  const int = (key: string) => {
    const v = str(key);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0)
      throw new InputError(
        `query parameter ${key} must be a non-negative integer`,
      );
    return n;
  };
  const verdict = str('verdict');
  if (verdict !== undefined && !VERDICTS.includes(verdict as Verdict)) {
    throw new InputError(`verdict must be one of ${VERDICTS.join(', ')}`);
  }
  return {
    managementCluster: str('managementCluster'),
    accountId: str('accountId'),
    namespace: str('namespace'),
    verdict: verdict as Verdict | undefined,
    phase: str('phase'),
    q: str('q'),
    limit: int('limit'),
    offset: int('offset'),
  };
}
