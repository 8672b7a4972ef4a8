import {
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { createValidatedOpenApiRouter } from '@backstage/backend-openapi-utils';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  BasicPermission,
  AuthorizeResult,
} from '@backstage/plugin-permission-common';
import {
  capaAccountReadPermission,
  capaTrustVerifyPermission,
  ClustersQuery,
  Verdict,
} from '@capa-portal/plugin-capa-common';
import express from 'express';
import { spec } from './schema/openapi.generated';
import { TrustService } from './services/TrustService';

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
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  logger: LoggerService;
}

/**
 * The REST API under /api/capa (src/schema/openapi.yaml). The framework's auth policy makes every route require
 * Backstage credentials (401 without); each route then checks its permission (403 without).
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { trust, httpAuth, permissions } = options;
  // The OpenAPI router validates every request against the spec (400 with the failing field); handlers are
  // typed with capa-common's response types rather than the spec's loose response schemas.
  const router = createValidatedOpenApiRouter(
    spec,
  ) as unknown as express.Router;

  async function authorize(req: express.Request, permission: BasicPermission) {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const [decision] = await permissions.authorize([{ permission }], {
      credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`Permission ${permission.name} is required`);
    }
  }

  function accountIdOf(req: express.Request): string {
    const accountId = String(req.params.accountId);
    if (!ACCOUNT_ID.test(accountId)) {
      throw new InputError(`accountId must be 12 digits, got "${accountId}"`);
    }
    return accountId;
  }

  router.get('/management-clusters', async (req, res) => {
    await authorize(req, capaAccountReadPermission);
    res.json({ items: await trust.managementClusters() });
  });

  router.get('/report', async (req, res) => {
    await authorize(req, capaAccountReadPermission);
    res.json(await trust.fleetReport());
  });

  router.get('/accounts', async (req, res) => {
    await authorize(req, capaAccountReadPermission);
    res.json(await trust.accounts());
  });

  router.get('/accounts/:accountId/trust', async (req, res) => {
    await authorize(req, capaAccountReadPermission);
    // Serialised once per report (with its ETag, so express hashes nothing and answers 304 when fresh).
    const { body, etag } = await trust.accountTrustSerialized(accountIdOf(req));
    res.set('ETag', etag);
    res.type('application/json');
    res.send(body);
  });

  router.post('/accounts/:accountId/trust/verify', async (req, res) => {
    await authorize(req, capaTrustVerifyPermission);
    res.json(await trust.verifyAccount(accountIdOf(req)));
  });

  router.get('/clusters', async (req, res) => {
    await authorize(req, capaAccountReadPermission);
    res.json(await trust.clusters(parseClustersQuery(req.query)));
  });

  router.get(
    '/clusters/:managementCluster/:namespace/:name',
    async (req, res) => {
      await authorize(req, capaAccountReadPermission);
      const { managementCluster, namespace, name } = req.params;
      res.json(await trust.cluster(managementCluster, namespace, name));
    },
  );

  router.get('/identities/:managementCluster/:name/chain', async (req, res) => {
    await authorize(req, capaAccountReadPermission);
    const { managementCluster, name } = req.params;
    const kind =
      typeof req.query.kind === 'string' ? req.query.kind : undefined;
    res.json(await trust.identityChain(managementCluster, name, kind));
  });

  return router;
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
