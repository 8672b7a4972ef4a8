import type { PermissionsService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  type ActionContext,
  createTemplateAction,
} from '@backstage/plugin-scaffolder-node';
import type {
  AccountTrustResponse,
  Check,
  Verdict,
} from '@capa-portal/plugin-capa-common';
import {
  ACCOUNT_ID_PATTERN,
  capaAccountReadPermission,
  capaResourceRef,
  capaTrustVerifyPermission,
} from '@capa-portal/plugin-capa-common';
import { CapaFleetApi } from '../lib/fleet';
import { requireCapaPermission } from '../lib/permissions';
import { FieldErrors } from '../lib/validation';
import { examples } from './trustVerify.examples';

function summarize(checks: Check[], status: 'fail' | 'warn') {
  const seen = new Set<string>();
  return checks
    .filter(c => c.status === status)
    .map(c => ({ id: c.id, message: c.message }))
    .filter(
      c =>
        !seen.has(`${c.id}\u0000${c.message}`) &&
        !!seen.add(`${c.id}\u0000${c.message}`),
    );
}

interface VerifyTarget {
  accountId?: string;
  managementCluster?: string;
  identityName?: string;
}

function validateVerifyInput(input: Record<string, unknown>): VerifyTarget {
  const errors = new FieldErrors();
  const accountId = errors.accountId('accountId', input.accountId, {
    required: false,
  });
  const managementCluster = errors.managementCluster(
    'managementCluster',
    input.managementCluster,
  );
  const identityName = errors.dnsSubdomain('identityName', input.identityName, {
    required: false,
  });
  if (
    input.failOnBroken !== undefined &&
    typeof input.failOnBroken !== 'boolean'
  )
    errors.add('failOnBroken', 'must be true or false');
  if (!accountId && !(managementCluster && identityName) && errors.ok)
    errors.add(
      'accountId',
      'give accountId, or managementCluster and identityName',
    );
  errors.throwIfAny('capa:trust:verify');
  return { accountId, managementCluster, identityName };
}

/** The account an identity targets, from the fleet report. */
async function accountOfIdentity(
  api: CapaFleetApi,
  { managementCluster, identityName }: VerifyTarget,
): Promise<string> {
  const report = await api.fleetReport();
  const identity = report.identities.find(
    i => i.managementCluster === managementCluster && i.name === identityName,
  );
  if (!identity)
    throw new InputError(`no identity ${identityName} on ${managementCluster}`);
  if (!identity.accountId)
    throw new InputError(
      `the account of ${identity.kind}/${identity.name} is not known`,
    );
  return identity.accountId;
}

/**
 * A live verification, once per task (a checkpoint) and only with capa.trust.verify on the account; in a dry
 * run the last report instead, when the backend offers it.
 */
async function verifyOrRead(
  ctx: Pick<
    ActionContext<any, any, any>,
    'isDryRun' | 'logger' | 'checkpoint' | 'getInitiatorCredentials'
  >,
  options: { api: CapaFleetApi; permissions?: PermissionsService },
  accountId: string,
): Promise<AccountTrustResponse> {
  if (ctx.isDryRun && options.api.accountTrust) {
    // The last report is the account's trust data: capa.account.read, as GET /accounts/{id}/trust asks.
    await requireCapaPermission(options.permissions, ctx, {
      permission: capaAccountReadPermission,
      resourceRef: capaResourceRef.account(accountId),
      what: `read the trust of account ${accountId}`,
    });
    ctx.logger.info(
      `dry run: reading the last report of ${accountId} instead of verifying live`,
    );
    return options.api.accountTrust(accountId);
  }
  await requireCapaPermission(options.permissions, ctx, {
    permission: capaTrustVerifyPermission,
    resourceRef: capaResourceRef.account(accountId),
    what: `verify the trust of account ${accountId} live`,
  });
  return ctx.checkpoint({
    key: `capa.trust.verify:${accountId}`,
    fn: async () =>
      JSON.parse(JSON.stringify(await options.api.verifyAccount(accountId))),
  });
}

/**
 * The verdict and checks to report: the account's verdict (its reachability: can CAPA assume into it) with every
 * failing or warning check of its identities and clusters (cluster problems too), each with its subject; or, with
 * identityName, that identity's alone.
 */
function findingsOf(
  response: AccountTrustResponse,
  accountId: string,
  { managementCluster, identityName }: VerifyTarget,
): { verdict: Verdict; checks: Check[]; subject: string } {
  if (identityName) {
    const identity = response.identities.find(
      i =>
        i.name === identityName &&
        (!managementCluster || i.managementCluster === managementCluster),
    );
    if (!identity)
      throw new InputError(
        `identity ${identityName} does not target account ${accountId}`,
      );
    return {
      verdict: identity.verdict,
      checks: identity.checks,
      subject: `${identity.kind}/${identity.name} on ${identity.managementCluster}`,
    };
  }
  return {
    verdict: response.account.verdict,
    checks: [
      ...response.account.checks,
      ...response.identities.flatMap(i =>
        i.checks.map(c => ({
          ...c,
          message: `${i.managementCluster}: ${i.kind}/${i.name}: ${c.message}`,
        })),
      ),
      ...response.clusters.flatMap(c =>
        c.checks.map(k => ({
          ...k,
          message: `${c.managementCluster}: ${c.namespace}/${c.name}: ${k.message}`,
        })),
      ),
    ],
    subject: `account ${accountId}`,
  };
}

/**
 * `capa:trust:verify`: re-verifies an account (or the account of an identity) live now through the capa
 * backend, and optionally fails the task when the verdict is broken.
 *
 * @public
 */
export function createCapaTrustVerifyAction(options: {
  api: CapaFleetApi;
  permissions?: PermissionsService;
}) {
  return createTemplateAction({
    id: 'capa:trust:verify',
    description:
      'Asks the capa backend to verify the trust of an account (or of one identity) now, with live AWS evidence where configured; fails the task on a broken verdict when failOnBroken is set. Checks the capa.trust.verify permission for the user who runs the template.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        accountId: z =>
          z
            .string()
            .regex(ACCOUNT_ID_PATTERN)
            .optional()
            .describe('Account to verify'),
        managementCluster: z =>
          z
            .string()
            .optional()
            .describe('With identityName: verify the account of this identity'),
        identityName: z =>
          z
            .string()
            .optional()
            .describe(
              'AWSClusterRoleIdentity / AWSClusterStaticIdentity / AWSClusterControllerIdentity name',
            ),
        failOnBroken: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Fail the task when the verdict is broken (default false)',
            ),
      },
      output: {
        verdict: z =>
          z
            .string()
            .describe('broken, degraded, trusted, configured or unknown'),
        accountId: z => z.string(),
        live: z =>
          z.boolean().describe('Live AWS evidence went into the verdict'),
        failing: z =>
          z.array(z.object({ id: z.string(), message: z.string() })),
        warning: z =>
          z.array(z.object({ id: z.string(), message: z.string() })),
        generatedAt: z => z.string(),
      },
    },
    async handler(ctx) {
      const input = ctx.input as Record<string, unknown>;
      const target = validateVerifyInput(input);
      const accountId =
        target.accountId ?? (await accountOfIdentity(options.api, target));
      const response = await verifyOrRead(ctx, options, accountId);
      const { verdict, checks, subject } = findingsOf(
        response,
        accountId,
        target,
      );
      const failing = summarize(checks, 'fail');
      const warning = summarize(checks, 'warn');
      // What the verification could not do (refused AWS credentials, live verification off): in the task log.
      for (const notice of response.notices ?? []) ctx.logger.warn(notice);
      ctx.logger.info(
        `${subject}: ${verdict}${response.live ? ' (live)' : ''}${
          failing.length
            ? `; failing: ${failing.map(f => f.id).join(', ')}`
            : ''
        }`,
      );
      ctx.output('verdict', verdict);
      ctx.output('accountId', accountId);
      ctx.output('live', response.live);
      ctx.output('failing', failing);
      ctx.output('warning', warning);
      ctx.output('generatedAt', response.generatedAt);
      if (verdict === 'broken' && input.failOnBroken === true) {
        throw new InputError(
          `trust of ${subject} is broken: ${failing
            .map(f => `${f.id}: ${f.message}`)
            .join('; ')}`,
        );
      }
    },
  });
}
