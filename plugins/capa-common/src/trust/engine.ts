/* eslint-disable no-nested-ternary */
/*
 * The trust engine: FleetInput (+ LiveEvidence) -> FleetReport. Pure and total: it never throws.
 *
 * Work is shared: chains are resolved once per (management cluster, identity); the policy checks of a chain
 * (source-permission, target-trust, external-id, session-duration, live-assume, account-known, ...) once per
 * chain; `namespace-allowed` once per (chain, namespace). Clusters then only assemble shared check objects.
 */
import type {
  AccountReport,
  AssumeHop,
  ChainPlan,
  Check,
  CheckEvidence,
  CheckId,
  CheckStatus,
  EksClusterPlan,
  ClusterReport,
  EvidencePlan,
  FleetInput,
  FleetReport,
  IdentityReport,
  IdentityRef,
  LiveEvidence,
  ManagementClusterReport,
  Verdict,
} from '../types';
import { CHECK_IDS, eksClusterKey } from '../types';
import { accountOfArn, isAccountId } from '../iam/arn';
import {
  ANNOTATION_ACCOUNT_ID,
  OBJECT_ANNOTATION_OWNER,
  OBJECT_ANNOTATION_SYSTEM,
} from '../catalog';
import { classifyApiVersion } from '../model/apiVersions';
import {
  isNamespaceAllowed,
  summarizeAllowedNamespaces,
} from '../model/allowedNamespaces';
import {
  CONTROLLER_IDENTITY_KIND,
  CONTROLLER_IDENTITY_NAME,
  identityKey,
  ParsedIdentity,
  ROLE_IDENTITY_KIND,
  STATIC_IDENTITY_KIND,
} from '../model/objects';
import { permissionsOf } from './hops';
import { hopsOf, ResolvedChain } from './chain';
import {
  buildFleetContext,
  chainFor,
  ClusterUnit,
  FleetContext,
  MgmtContext,
  ParsedIdentityX,
} from './context';
import { evaluateHop, HopResult, HopSource, PartialCheck } from './hops';
import { aggregateVerdicts, verdictOf, worstStatus } from './verdict';

/** Placeholder session name when the identity sets none (CAPA's SDK then generates a timestamp). */
export const DEFAULTED_SESSION_NAME = 'capa-portal-verify';

/** STS's RoleSessionName constraint: `[\w+=,.@-]*`, 2..64 characters. */
const ROLE_SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/** The order checks appear in reports: the contract's order. */
const ORDER: readonly CheckId[] = CHECK_IDS;

function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

function ref(kind: string, name: string) {
  return `${kind}/${name}`;
}

function identityEvidence(
  identity: ParsedIdentity,
  detail?: string,
): CheckEvidence {
  return {
    source: ref(identity.kind, identity.name),
    line: identity.location.line,
    detail: detail ?? identity.location.source,
  };
}

function check(id: CheckId, p: PartialCheck): Check {
  const c: Check = { id, status: p.status, message: p.message };
  if (p.evidence && p.evidence.length) c.evidence = p.evidence;
  if (p.fix) c.fix = p.fix;
  return c;
}

/** Combines per-hop partial checks into one check. */
function combine(
  id: CheckId,
  parts: Array<{ label: string; p: PartialCheck }>,
  whenNone: PartialCheck,
): Check {
  if (!parts.length) return check(id, whenNone);
  if (parts.length === 1) return check(id, parts[0].p);
  const status = worstStatus(parts.map(x => x.p.status));
  const message = parts.map(x => `${x.label}: ${x.p.message}`).join('; ');
  const evidence = parts.flatMap(x => x.p.evidence ?? []);
  const fix =
    parts.find(x => x.p.status === status && x.p.fix)?.p.fix ??
    parts.find(x => x.p.fix)?.p.fix;
  return check(id, { status, message, evidence, fix });
}

interface ChainEvaluation {
  chain: ResolvedChain;
  key: string;
  plan?: ChainPlan;
  accountId?: string;
  /** Checks that do not depend on the cluster's namespace, in ORDER (without namespace-allowed / api-version / static-credentials). */
  checks: Map<CheckId, Check>;
  apiVersions: string[];
  apiVersionCheck: Check;
  staticCheck: Check;
  hasSynthetic: boolean;
  /** Chain links as a string, for namespace memoisation. */
  sig: string;
}

interface Engine {
  fleet: FleetContext;
  hopCache: Map<string, HopResult>;
  chainEvalCache: Map<string, ChainEvaluation>;
  nsCache: Map<string, Check>;
  now: Date;
}

function hopSourceForRoot(mgmt: MgmtContext, chain: ResolvedChain): HopSource {
  const rootLink = chain.links[chain.links.length - 1];
  const rootIdentity = chain.identities[chain.identities.length - 1];
  if (chain.root === 'static' && rootIdentity) {
    return {
      kind: 'static',
      roleSession: false,
      identity: ref(rootIdentity.kind, rootIdentity.name),
    };
  }
  return {
    kind: 'controller',
    arn: mgmt.principalArn,
    accountId: accountOfArn(mgmt.principalArn) ?? mgmt.accountId,
    roleSession: mgmt.principalUsesRoleSession,
    identity: rootLink
      ? ref(rootLink.kind, rootLink.name)
      : ref(CONTROLLER_IDENTITY_KIND, CONTROLLER_IDENTITY_NAME),
  };
}

function tagsForPrincipal(
  engine: Engine,
  mgmt: MgmtContext | undefined,
  arn: string,
): Record<string, string> | undefined {
  const live = engine.fleet.live.principalTags?.[arn];
  if (live) return live;
  if (mgmt && arn === mgmt.principalArn && mgmt.principalTags)
    return mgmt.principalTags;
  // A clusterawsadm role's tags are its configured tags (pod identity session tags are unknown).
  if (mgmt && arn === mgmt.principalArn && mgmt.principalUsesRoleSession)
    return undefined;
  const perms = permissionsOf(engine.fleet, arn);
  return perms?.role ? perms.role.tags : undefined;
}

/**
 * The account a chain without role hops lands in: the controller's own account, or for a static identity the
 * account its `amazonaws.com/account-id` annotation names (its keys' account can't be read from the object).
 */
function rootAccountId(
  chain: ResolvedChain,
  mgmt: MgmtContext,
): string | undefined {
  if (chain.root === 'controller')
    return accountOfArn(mgmt.principalArn) ?? mgmt.accountId;
  if (chain.root === 'static') {
    const annotated =
      chain.identities[chain.identities.length - 1]?.annotations?.[
        ANNOTATION_ACCOUNT_ID
      ];
    return annotated && isAccountId(annotated) ? annotated : undefined;
  }
  return undefined;
}

function chainKeyOf(
  mgmt: MgmtContext,
  chain: ResolvedChain,
  hops: AssumeHop[],
): string {
  const root =
    chain.root === 'static'
      ? `static:${chain.links[chain.links.length - 1]?.name}`
      : `controller:${mgmt.principalArn}`;
  const parts = hops.map(h => {
    const opts = [`d=${h.durationSeconds}`];
    if (!h.sessionNameDefaulted) opts.push(`s=${h.sessionName}`);
    if (h.externalId) opts.push(`e=${hash(h.externalId)}`);
    if (h.policy) opts.push(`p=${hash(h.policy)}`);
    return `${h.roleArn}(${opts.join(',')})`;
  });
  return [`${mgmt.name}`, root, ...parts].join('>');
}

function evaluateChain(
  engine: Engine,
  mgmt: MgmtContext,
  identityRef: IdentityRef,
): ChainEvaluation {
  const cacheKey = `${mgmt.name}\u0000${identityKey(identityRef)}`;
  const cached = engine.chainEvalCache.get(cacheKey);
  if (cached) return cached;
  const chain = chainFor(mgmt, identityRef);
  const fleet = engine.fleet;
  const checks = new Map<CheckId, Check>();
  const identities = chain.identities.filter((x): x is ParsedIdentity => !!x);
  const hasSynthetic = identities.some(i => (i as ParsedIdentityX).synthetic);

  // identity-exists
  const missing = chain.problems.filter(
    p =>
      p.kind === 'missing' ||
      p.kind === 'malformed' ||
      p.kind === 'unknown-kind',
  );
  if (missing.length) {
    const link = chain.links[missing[0].linkIndex];
    checks.set(
      'identity-exists',
      check('identity-exists', {
        status: 'fail',
        message: missing.map(m => m.message).join('; '),
        evidence: [
          { source: ref(link.kind, link.name), detail: missing[0].kind },
        ],
        fix: {
          summary:
            link.kind === CONTROLLER_IDENTITY_KIND
              ? `Create AWSClusterControllerIdentity/default (allowedNamespaces decides which namespaces may use it).`
              : `Create ${link.kind}/${link.name} in management cluster ${mgmt.name}, or point the reference at an existing identity.`,
          snippet:
            link.kind === CONTROLLER_IDENTITY_KIND
              ? 'apiVersion: infrastructure.cluster.x-k8s.io/v1beta2\nkind: AWSClusterControllerIdentity\nmetadata:\n  name: default\nspec:\n  allowedNamespaces: {}'
              : link.kind === ROLE_IDENTITY_KIND
              ? `apiVersion: infrastructure.cluster.x-k8s.io/v1beta2\nkind: AWSClusterRoleIdentity\nmetadata:\n  name: ${link.name}\nspec:\n  roleARN: arn:aws:iam::<target-account-id>:role/controllers.cluster-api-provider-aws.sigs.k8s.io\n  sourceIdentityRef:\n    kind: AWSClusterControllerIdentity\n    name: default\n  allowedNamespaces:\n    list: []`
              : undefined,
          language: 'yaml',
        },
      }),
    );
  } else if (hasSynthetic) {
    checks.set(
      'identity-exists',
      check('identity-exists', {
        status: 'warn',
        message: `AWSClusterControllerIdentity/default is not in the input; CAPA's AutoControllerIdentityCreator (feature gate, on by default) creates it with allowedNamespaces: {} because a cluster references it`,
        evidence: [
          {
            source: 'AWSClusterControllerIdentity/default',
            detail: 'not found; auto-created by CAPA',
          },
        ],
        fix: {
          summary:
            'Declare the controller identity explicitly so its allowedNamespaces is under review.',
          snippet:
            'apiVersion: infrastructure.cluster.x-k8s.io/v1beta2\nkind: AWSClusterControllerIdentity\nmetadata:\n  name: default\nspec:\n  allowedNamespaces: {}',
          language: 'yaml',
        },
      }),
    );
  } else {
    checks.set(
      'identity-exists',
      check('identity-exists', {
        status: 'pass',
        message: `${chain.links
          .map(l => ref(l.kind, l.name))
          .join(' -> ')} exist${chain.links.length === 1 ? 's' : ''}`,
        evidence: identities.map(i => identityEvidence(i)),
      }),
    );
  }

  // chain-valid
  const structural = chain.problems.filter(
    p =>
      p.kind === 'cycle' || p.kind === 'no-source' || p.kind === 'unknown-kind',
  );
  const policyArnWarnings: PartialCheck[] = [];
  const inlineErrors: string[] = [];
  for (const i of identities) {
    if (i.policyArns && i.policyArns.length) {
      policyArnWarnings.push({
        status: 'warn',
        message: `${ref(
          i.kind,
          i.name,
        )} sets policyARNs, which CAPA never sends to sts:AssumeRole: they have no effect`,
        evidence: [
          identityEvidence(i, `spec.policyARNs: ${i.policyArns.join(', ')}`),
        ],
        fix: {
          summary: `Remove spec.policyARNs from ${ref(
            i.kind,
            i.name,
          )}; use spec.inlinePolicy (sent as the session policy) or the role's own policies.`,
        },
      });
    }
    if (
      i.kind === ROLE_IDENTITY_KIND &&
      i.sessionName &&
      !ROLE_SESSION_NAME.test(i.sessionName)
    ) {
      // CAPA passes spec.sessionName to sts:AssumeRole as RoleSessionName verbatim (no CRD pattern checks it).
      inlineErrors.push(
        `${ref(i.kind, i.name)}: spec.sessionName ${JSON.stringify(
          i.sessionName,
        )} is not a valid RoleSessionName (2..64 characters of [A-Za-z0-9_+=,.@-]); STS rejects the AssumeRole`,
      );
    }
    if (i.inlinePolicy) {
      try {
        JSON.parse(i.inlinePolicy);
      } catch {
        inlineErrors.push(
          `${ref(
            i.kind,
            i.name,
          )}: spec.inlinePolicy is not valid JSON; STS rejects the AssumeRole`,
        );
      }
    }
  }
  if (structural.length || inlineErrors.length) {
    const first = structural[0];
    checks.set(
      'chain-valid',
      check('chain-valid', {
        status: 'fail',
        message: [...structural.map(p => p.message), ...inlineErrors].join(
          '; ',
        ),
        evidence: first
          ? [
              {
                source: ref(
                  chain.links[Math.max(0, first.linkIndex)].kind,
                  chain.links[Math.max(0, first.linkIndex)].name,
                ),
                detail: first.kind,
              },
            ]
          : undefined,
        fix:
          first?.kind === 'cycle'
            ? {
                summary:
                  'Break the cycle: the last role identity of a chain must name AWSClusterControllerIdentity/default (or a static identity) as sourceIdentityRef.',
              }
            : first?.kind === 'no-source'
            ? {
                summary:
                  'Set spec.sourceIdentityRef (usually the controller identity).',
                snippet:
                  'spec:\n  sourceIdentityRef:\n    kind: AWSClusterControllerIdentity\n    name: default',
                language: 'yaml',
              }
            : undefined,
      }),
    );
  } else if (missing.length) {
    checks.set(
      'chain-valid',
      check('chain-valid', {
        status: 'skip',
        message: `the chain ends at a missing identity (${missing[0].message}); it cannot be validated beyond it`,
      }),
    );
  } else if (policyArnWarnings.length) {
    checks.set(
      'chain-valid',
      combine(
        'chain-valid',
        policyArnWarnings.map(p => ({ label: 'policyARNs', p })),
        policyArnWarnings[0],
      ),
    );
  } else {
    checks.set(
      'chain-valid',
      check('chain-valid', {
        status: 'pass',
        message: `${chain.links.map(l => ref(l.kind, l.name)).join(' -> ')} (${
          chain.links.length
        } link${chain.links.length === 1 ? '' : 's'}, ends in ${
          chain.root === 'static'
            ? 'static credentials'
            : "the controller's credentials"
        })`,
      }),
    );
  }

  // controller-identity-name
  const badName = chain.problems.filter(p => p.kind === 'controller-name');
  const ctrlLinks = chain.links.filter(
    l => l.kind === CONTROLLER_IDENTITY_KIND,
  );
  checks.set(
    'controller-identity-name',
    badName.length
      ? check('controller-identity-name', {
          status: 'fail',
          message: badName.map(p => p.message).join('; '),
          evidence: badName.map(p => ({
            source: ref(
              chain.links[p.linkIndex].kind,
              chain.links[p.linkIndex].name,
            ),
          })),
          fix: {
            summary:
              'Reference AWSClusterControllerIdentity by the name "default".',
            snippet: 'kind: AWSClusterControllerIdentity\nname: default',
            language: 'yaml',
          },
        })
      : check('controller-identity-name', {
          status: 'pass',
          message: ctrlLinks.length
            ? 'the controller identity is named "default"'
            : 'no controller identity in the chain',
        }),
  );

  // Hops: source-permission, target-trust, external-id, session-duration
  const hops = hopsOf(chain);
  const planHops: AssumeHop[] = [];
  const hopParts: Array<{ label: string; r: HopResult }> = [];
  const usable =
    chain.root !== 'none' && !chain.problems.some(p => p.kind === 'cycle');
  let source: HopSource | undefined = usable
    ? hopSourceForRoot(mgmt, chain)
    : undefined;
  if (source && source.kind === 'controller' && source.arn)
    source.tags = tagsForPrincipal(engine, mgmt, source.arn);
  if (source) {
    for (const h of hops) {
      const roleArn = h.identity.roleArn ?? '';
      const hopKey = [
        source.arn ?? `static:${source.identity}`,
        source.roleSession ? 'rs' : 'nrs',
        source.sessionPolicy ? hash(source.sessionPolicy) : '',
        source.tags ? hash(JSON.stringify(source.tags)) : '?',
        roleArn,
        h.identity.externalId ?? '',
        h.identity.sessionName ?? '',
        h.identity.durationSeconds,
        ref(h.identity.kind, h.identity.name),
      ].join('\u0000');
      let r = engine.hopCache.get(hopKey);
      if (!r) {
        r = evaluateHop(fleet, {
          source,
          identity: h.identity,
          roleArn,
          externalId: h.identity.externalId || undefined,
          sessionName: h.identity.sessionName || undefined,
          durationSeconds: h.identity.durationSeconds,
        });
        engine.hopCache.set(hopKey, r);
      }
      hopParts.push({
        label: `${ref(h.identity.kind, h.identity.name)} (${roleArn})`,
        r,
      });
      const hop: AssumeHop = {
        roleArn,
        sessionName: h.identity.sessionName || DEFAULTED_SESSION_NAME,
        durationSeconds: h.identity.durationSeconds || 900,
        identity: ref(h.identity.kind, h.identity.name),
      };
      if (!h.identity.sessionName) hop.sessionNameDefaulted = true;
      if (h.identity.externalId) hop.externalId = h.identity.externalId;
      if (h.identity.inlinePolicy) hop.policy = h.identity.inlinePolicy;
      planHops.push(hop);
      source = {
        kind: 'role',
        arn: roleArn,
        accountId: accountOfArn(roleArn),
        roleSession: true,
        tags: tagsForPrincipal(engine, mgmt, roleArn),
        sessionPolicy: h.identity.inlinePolicy,
        identity: ref(h.identity.kind, h.identity.name),
      };
    }
  }
  const noHop: PartialCheck = usable
    ? {
        status: 'pass',
        message:
          chain.root === 'static'
            ? 'no AssumeRole: the static credentials are used directly'
            : `no AssumeRole: the controller's own credentials (${mgmt.principalArn}) are used`,
      }
    : {
        status: 'skip',
        message: 'the chain is not usable (see chain-valid / identity-exists)',
      };
  checks.set(
    'session-duration',
    combine(
      'session-duration',
      hopParts.map(x => ({ label: x.label, p: x.r.sessionDuration })),
      noHop,
    ),
  );
  checks.set(
    'external-id',
    combine(
      'external-id',
      hopParts.map(x => ({ label: x.label, p: x.r.externalId })),
      noHop,
    ),
  );
  checks.set(
    'source-permission',
    combine(
      'source-permission',
      hopParts.map(x => ({ label: x.label, p: x.r.sourcePermission })),
      noHop,
    ),
  );
  checks.set(
    'target-trust',
    combine(
      'target-trust',
      hopParts.map(x => ({ label: x.label, p: x.r.targetTrust })),
      noHop,
    ),
  );

  // Target account
  const lastHop = hops[hops.length - 1];
  const accountId = lastHop
    ? accountOfArn(lastHop.identity.roleArn)
    : rootAccountId(chain, mgmt);

  // live-assume
  let plan: ChainPlan | undefined;
  const complete =
    chain.complete &&
    usable &&
    hops.every(h => !!accountOfArn(h.identity.roleArn));
  const key = chainKeyOf(mgmt, chain, planHops);
  if (complete && accountId) {
    plan = {
      key,
      hops: planHops,
      expectedAccountId: accountId,
      managementCluster: mgmt.name,
    };
    if (chain.root === 'static')
      plan.rootStaticSecret = chain.links[chain.links.length - 1]?.secretRef;
    else plan.rootPrincipalArn = mgmt.principalArn;
  }
  checks.set('live-assume', liveAssume(engine.fleet.live, plan, complete));

  // account-known
  checks.set(
    'account-known',
    accountKnown(
      engine.fleet,
      accountId,
      chain.root === 'static' && !hops.length,
    ),
  );

  // api-version of the identities
  const apiVersions = [
    ...new Set(
      identities
        .filter(i => !(i as ParsedIdentityX).synthetic)
        .map(i => i.apiVersion),
    ),
  ];
  const apiParts = identities
    .filter(i => !(i as ParsedIdentityX).synthetic)
    .map(i => ({ i, v: classifyApiVersion(i.apiVersion, i.kind) }))
    .filter(x => x.v.status === 'unserved');
  const apiVersionCheck = apiParts.length
    ? check('api-version', {
        status: 'warn',
        message: apiParts
          .map(x => `${ref(x.i.kind, x.i.name)}: ${x.v.message}`)
          .join('; '),
        evidence: apiParts.map(x =>
          identityEvidence(
            x.i,
            `${x.i.location.source}: apiVersion ${x.i.apiVersion}`,
          ),
        ),
        fix: {
          summary:
            'Rewrite the manifests with apiVersion infrastructure.cluster.x-k8s.io/v1beta2 (the fields are the same for identities).',
        },
      })
    : check('api-version', {
        status: 'pass',
        message: apiVersions.length
          ? `${apiVersions.join(', ')} served`
          : 'no manifests to check',
      });

  const rootIdentity = chain.identities[chain.identities.length - 1];
  const staticCheck =
    chain.root === 'static' && rootIdentity
      ? check('static-credentials', {
          status: 'warn',
          message: `${ref(
            rootIdentity.kind,
            rootIdentity.name,
          )} uses long-lived static credentials (Secret ${
            rootIdentity.secretRef ?? '?'
          } in the CAPA namespace)`,
          evidence: [
            identityEvidence(
              rootIdentity,
              `spec.secretRef: ${rootIdentity.secretRef}`,
            ),
          ],
          fix: {
            summary:
              'Prefer an AWSClusterRoleIdentity chained from the controller identity; it needs no long-lived keys.',
            snippet: `apiVersion: infrastructure.cluster.x-k8s.io/v1beta2\nkind: AWSClusterRoleIdentity\nmetadata:\n  name: ${rootIdentity.name}-role\nspec:\n  roleARN: arn:aws:iam::<target-account-id>:role/controllers.cluster-api-provider-aws.sigs.k8s.io\n  sourceIdentityRef:\n    kind: AWSClusterControllerIdentity\n    name: default\n  allowedNamespaces:\n    list: []`,
            language: 'yaml',
          },
        })
      : check('static-credentials', {
          status: 'pass',
          message: 'no static credentials in the chain',
        });

  const sig = `${mgmt.name}\u0000${chain.links
    .map(l => ref(l.kind, l.name))
    .join(',')}`;
  const result: ChainEvaluation = {
    chain,
    key,
    plan,
    accountId,
    checks,
    apiVersions,
    apiVersionCheck,
    staticCheck,
    hasSynthetic,
    sig,
  };
  engine.chainEvalCache.set(cacheKey, result);
  return result;
}

function liveAssume(
  live: LiveEvidence,
  plan: ChainPlan | undefined,
  complete: boolean,
): Check {
  if (!complete || !plan) {
    return check('live-assume', {
      status: 'skip',
      message: 'the chain is incomplete or invalid: nothing to assume',
    });
  }
  const r = live.assumeResults?.[plan.key];
  if (!r) {
    return check('live-assume', {
      status: 'skip',
      message: plan.rootStaticSecret
        ? 'not verified live (static root: its Secret is not read); only static evidence was used'
        : 'not verified live: run live verification (sts:AssumeRole along the chain, then sts:GetCallerIdentity)',
    });
  }
  const evidence: CheckEvidence[] = [
    {
      source: `sts:AssumeRole ${plan.key} (${r.checkedAt})`,
      detail: r.status,
      value: r.arn,
    },
  ];
  if (r.status === 'throttled') {
    return check('live-assume', {
      status: 'skip',
      message: `live verification was throttled${
        r.message ? `: ${r.message}` : ''
      }; retry later`,
      evidence,
    });
  }
  if (r.status === 'ok') {
    if (r.accountId === plan.expectedAccountId) {
      return check('live-assume', {
        status: 'pass',
        message: `assumed ${
          plan.hops.length
            ? plan.hops[plan.hops.length - 1].roleArn
            : 'the controller principal'
        }; GetCallerIdentity returned account ${r.accountId}${
          r.arn ? ` (${r.arn})` : ''
        }`,
        evidence,
      });
    }
    return check('live-assume', {
      status: 'fail',
      message: `GetCallerIdentity returned account ${
        r.accountId ?? '(none)'
      }, expected ${plan.expectedAccountId}`,
      evidence,
    });
  }
  const hop =
    typeof r.failedHop === 'number' ? plan.hops[r.failedHop] : undefined;
  return check('live-assume', {
    status: 'fail',
    message: `live sts:AssumeRole ${r.status}${
      hop ? ` at hop ${r.failedHop} (${hop.roleArn})` : ''
    }${r.message ? `: ${r.message}` : ''}`,
    evidence,
  });
}

function accountKnown(
  fleet: FleetContext,
  accountId: string | undefined,
  staticOnly: boolean,
): Check {
  if (!accountId) {
    return check('account-known', {
      status: 'skip',
      message: staticOnly
        ? 'the account of the static credentials is unknown (its Secret is never read)'
        : 'no target account (the chain has no usable role ARN)',
    });
  }
  const org = fleet.organization?.get(accountId);
  const cfg = fleet.accounts.get(accountId);
  const mgmt = fleet.managementAccounts.get(accountId);
  const evidence: CheckEvidence[] = [];
  if (cfg)
    evidence.push({
      source: 'config: accounts',
      detail: `${accountId}${cfg.name ? ` (${cfg.name})` : ''}`,
    });
  if (mgmt)
    evidence.push({
      source: 'config: managementClusters',
      detail: mgmt.join(', '),
    });
  if (org)
    evidence.push({
      source: 'organizations:ListAccounts',
      detail: `${org.name ?? accountId}: ${org.status ?? 'unknown status'}`,
    });
  if (org && org.status && org.status !== 'ACTIVE') {
    return check('account-known', {
      status: 'fail',
      message: `account ${accountId} is ${org.status} in AWS Organizations`,
      evidence,
      fix: {
        summary: `Move the clusters and identities off account ${accountId}, or reactivate it.`,
      },
    });
  }
  if (cfg || mgmt || org) {
    return check('account-known', {
      status: 'pass',
      message: `account ${accountId} is known from ${[
        cfg && 'config',
        mgmt && 'management clusters',
        org && 'AWS Organizations',
      ]
        .filter(Boolean)
        .join(', ')}${org?.status ? ` (${org.status})` : ''}`,
      evidence,
    });
  }
  return check('account-known', {
    status: 'warn',
    message: fleet.organization
      ? `account ${accountId} is neither in config nor in AWS Organizations`
      : `account ${accountId} is not in config (AWS Organizations was not asked)`,
    fix: {
      summary: `List account ${accountId} under accounts: in the configuration (with its name and iamConfiguration).`,
      snippet: `accounts:\n  - accountId: "${accountId}"\n    name: <name>`,
      language: 'yaml',
    },
  });
}

function namespaceCheck(
  engine: Engine,
  mgmt: MgmtContext,
  ev: ChainEvaluation,
  namespace: string,
): Check {
  const cacheKey = `${ev.sig}\u0000${namespace}`;
  const cached = engine.nsCache.get(cacheKey);
  if (cached) return cached;
  const labels = mgmt.parsed.namespaces.get(namespace);
  const parts: Array<{
    identity: ParsedIdentity;
    d: ReturnType<typeof isNamespaceAllowed>;
    summary: string;
  }> = [];
  ev.chain.identities.forEach((identity, i) => {
    if (identity) {
      parts.push({
        identity,
        d: isNamespaceAllowed(identity.allowedNamespaces, namespace, labels),
        summary:
          ev.chain.links[i].allowedNamespacesSummary ??
          summarizeAllowedNamespaces(identity.allowedNamespaces),
      });
    }
  });
  let result: Check;
  if (!parts.length) {
    result = check('namespace-allowed', {
      status: 'skip',
      message: 'no identity of the chain exists',
    });
  } else {
    const denied = parts.filter(p => !p.d.allowed && !p.d.unknown);
    const unknown = parts.filter(p => p.d.unknown);
    const evidence = parts.map(p =>
      identityEvidence(
        p.identity,
        `allowedNamespaces: ${p.summary} -> ${p.d.reason}`,
      ),
    );
    if (denied.length) {
      const first = denied[0].identity;
      const an = first.allowedNamespaces as any;
      const list: string[] = an && Array.isArray(an.list) ? an.list : [];
      const usesSelector =
        an &&
        an.selector &&
        (an.selector.matchLabels || an.selector.matchExpressions);
      result = check('namespace-allowed', {
        status: 'fail',
        message: denied
          .map(
            p =>
              `${ref(
                p.identity.kind,
                p.identity.name,
              )} does not allow namespace ${namespace}: ${p.d.reason}`,
          )
          .join('; '),
        evidence,
        fix: {
          summary: `Allow namespace ${namespace} in spec.allowedNamespaces of ${denied
            .map(p => ref(p.identity.kind, p.identity.name))
            .join(', ')}${
            usesSelector
              ? ` (or label Namespace ${namespace} to match the selector)`
              : ''
          }. CAPA checks every identity of the chain.`,
          snippet: [
            'spec:',
            '  allowedNamespaces:',
            '    list:',
            ...[...list.filter(x => x !== namespace), namespace].map(
              n => `    - ${n}`,
            ),
          ].join('\n'),
          language: 'yaml',
        },
      });
    } else if (unknown.length) {
      result = check('namespace-allowed', {
        status: 'warn',
        message: unknown
          .map(p => `${ref(p.identity.kind, p.identity.name)}: ${p.d.reason}`)
          .join('; '),
        evidence,
        fix: {
          summary: `Include the Namespace object ${namespace} in the manifests (or read it from the cluster) so its labels can be matched.`,
        },
      });
    } else {
      result = check('namespace-allowed', {
        status: 'pass',
        message: parts
          .map(p => `${ref(p.identity.kind, p.identity.name)}: ${p.d.reason}`)
          .join('; '),
        evidence,
      });
    }
  }
  engine.nsCache.set(cacheKey, result);
  return result;
}

function ordered(map: Map<CheckId, Check>): Check[] {
  const out: Check[] = [];
  for (const id of ORDER) {
    const c = map.get(id);
    if (c) out.push(c);
  }
  return out;
}

function clusterReport(
  engine: Engine,
  mgmt: MgmtContext,
  unit: ClusterUnit,
): ClusterReport {
  const cluster = unit.cluster;
  const carrier = unit.carrier;
  const objectApiVersions: Array<{
    kind: string;
    name: string;
    apiVersion: string;
    line?: number;
    source: string;
  }> = [];
  if (cluster)
    objectApiVersions.push({
      kind: 'Cluster',
      name: cluster.name,
      apiVersion: cluster.apiVersion,
      line: cluster.location.line,
      source: cluster.location.source,
    });
  if (carrier)
    objectApiVersions.push({
      kind: carrier.kind,
      name: carrier.name,
      apiVersion: carrier.apiVersion,
      line: carrier.location.line,
      source: carrier.location.source,
    });
  const base: Omit<
    ClusterReport,
    'verdict' | 'checks' | 'chain' | 'identityRef' | 'apiVersions'
  > = {
    managementCluster: mgmt.name,
    namespace: unit.namespace,
    name: unit.name,
    flavour: unit.flavour,
    phase: cluster?.phase,
    region:
      carrier && !carrier.kind.endsWith('Template')
        ? carrier.region
        : carrier?.region,
    kubernetesVersion:
      (carrier &&
      (carrier.kind === 'AWSManagedControlPlane' ||
        carrier.kind === 'ROSAControlPlane')
        ? carrier.version
        : undefined) ??
      cluster?.topology?.version ??
      (cluster?.controlPlaneRef
        ? mgmt.parsed.controlPlaneVersions.get(
            `${cluster.controlPlaneRef.namespace ?? cluster.namespace}/${
              cluster.controlPlaneRef.name
            }`,
          )
        : undefined),
    conditions: cluster?.conditions ?? [],
    labels: cluster?.labels ?? carrier?.labels,
    // Owner and system come from the object's annotations, else from the management cluster's config.
    owner:
      cluster?.annotations?.[OBJECT_ANNOTATION_OWNER] ??
      carrier?.annotations?.[OBJECT_ANNOTATION_OWNER] ??
      mgmt.input.owner,
    system:
      cluster?.annotations?.[OBJECT_ANNOTATION_SYSTEM] ??
      carrier?.annotations?.[OBJECT_ANNOTATION_SYSTEM] ??
      mgmt.input.system,
    location: cluster?.location ?? carrier?.location,
  };
  if (carrier)
    base.infrastructureRef = {
      apiVersion: carrier.apiVersion,
      kind: carrier.kind,
      name: carrier.name,
    };
  if (carrier?.kind === 'AWSManagedControlPlane') {
    if (carrier.apiServer) base.apiServer = carrier.apiServer;
    base.eksClusterName =
      carrier.eksClusterName ?? `${unit.namespace}_${carrier.name}`;
  }
  if (!unit.identityRef) {
    const msg = `${
      unit.missingCarrier
        ? `${unit.missingCarrier.kind}/${unit.missingCarrier.name}`
        : 'the AWS infrastructure object'
    } was not found: identityRef unknown`;
    const checks: Check[] = [
      { id: 'identity-exists', status: 'skip', message: msg },
      ...objectApiVersionCheck(objectApiVersions, []),
    ];
    return {
      ...base,
      identityRef: { kind: 'unknown', name: '' },
      verdict: verdictOf(checks),
      checks,
      chain: [],
      apiVersions: [...new Set(objectApiVersions.map(o => o.apiVersion))],
    };
  }
  const ev = evaluateChain(engine, mgmt, unit.identityRef);
  // EKS: the API server endpoint and CA read live with eks:DescribeCluster, when they were.
  const eks = eksLookupOf(unit, ev);
  if (eks) {
    const found = engine.fleet.live.eksClusters?.[eks.key];
    if (found?.status === 'found') {
      if (found.certificateAuthorityData)
        base.apiServerCaData = found.certificateAuthorityData;
      if (!base.apiServer && found.endpoint) base.apiServer = found.endpoint;
    }
  }
  // The chain's checks with this cluster's own ones in their place, read in ORDER (no copy of the chain's map).
  const nsCheck = namespaceCheck(engine, mgmt, ev, unit.namespace);
  // static-credentials: static roots, and CAPI Operator providers with static credentials that reconcile this cluster
  let staticCheck = ev.staticCheck;
  if (
    ev.chain.root === 'controller' &&
    mgmt.parsed.infrastructureProviders.length
  ) {
    const wf =
      cluster?.labels?.['cluster.x-k8s.io/watch-filter'] ??
      carrier?.labels?.['cluster.x-k8s.io/watch-filter'];
    const providers = mgmt.parsed.infrastructureProviders.filter(
      p => !p.watchFilter || p.watchFilter === wf,
    );
    if (providers.length) {
      const p = providers[0];
      staticCheck = check('static-credentials', {
        status: 'warn',
        message: `CAPA for this cluster runs as CAPI Operator InfrastructureProvider ${
          p.namespace
        }/${p.name} with static credentials${
          p.configSecret ? ` (Secret ${p.configSecret})` : ''
        }${
          p.watchFilter ? `, watch-filter ${p.watchFilter}` : ''
        }: prefer AWSClusterRoleIdentity`,
        evidence: [
          {
            source: `InfrastructureProvider/${p.namespace}/${p.name}`,
            line: p.location.line,
            detail: p.location.source,
          },
        ],
        fix: {
          summary:
            'Run one CAPA with role-based credentials and give each account an AWSClusterRoleIdentity chained from AWSClusterControllerIdentity/default.',
        },
      });
    }
  }
  const idVersions = ev.apiVersionCheck;
  const objCheck = objectApiVersionCheck(
    objectApiVersions,
    idVersions.status === 'warn' ? [idVersions] : [],
  )[0];
  let identityExists = ev.checks.get('identity-exists');
  if (unit.identityRefNote) {
    const ie = identityExists!;
    identityExists = {
      ...ie,
      message: `${ie.message} (${unit.identityRefNote})`,
    };
  }
  const checks: Check[] = [];
  for (const id of ORDER) {
    let c: Check | undefined;
    if (id === 'identity-exists') c = identityExists;
    else if (id === 'namespace-allowed') c = nsCheck;
    else if (id === 'static-credentials') c = staticCheck;
    else if (id === 'api-version') c = objCheck;
    else c = ev.checks.get(id);
    if (c) checks.push(c);
  }
  const apiVersions: string[] = [];
  for (const o of objectApiVersions)
    if (!apiVersions.includes(o.apiVersion)) apiVersions.push(o.apiVersion);
  for (const v of ev.apiVersions)
    if (!apiVersions.includes(v)) apiVersions.push(v);
  // base becomes the report (the same keys in the same order as a spread copy, without the copy).
  const report = base as ClusterReport;
  report.accountId = ev.accountId;
  report.identityRef = unit.identityRef;
  report.verdict = verdictOf(checks);
  report.checks = checks;
  report.chain = ev.chain.links;
  report.apiVersions = apiVersions;
  if (unit.identityRefDefaulted) report.identityRefDefaulted = true;
  return report;
}

const apiCheckMemo = new Map<string, Check>();

function objectApiVersionCheck(
  objects: Array<{
    kind: string;
    name: string;
    apiVersion: string;
    line?: number;
    source: string;
  }>,
  identityWarnings: Check[],
): Check[] {
  // The common case (nothing unserved) is shared between clusters.
  if (!identityWarnings.length) {
    let memoKey = '';
    for (let i = 0; i < objects.length; i++)
      memoKey += `${i ? '|' : ''}${objects[i].kind}@${objects[i].apiVersion}`;
    let shared = apiCheckMemo.get(memoKey);
    if (!shared) {
      const computed = objectApiVersionCheckUncached(objects, []);
      if (computed[0].status !== 'pass') return computed;
      shared = computed[0];
      if (apiCheckMemo.size > 1000) apiCheckMemo.clear();
      apiCheckMemo.set(memoKey, shared);
    }
    return [shared];
  }
  return objectApiVersionCheckUncached(objects, identityWarnings);
}

function objectApiVersionCheckUncached(
  objects: Array<{
    kind: string;
    name: string;
    apiVersion: string;
    line?: number;
    source: string;
  }>,
  identityWarnings: Check[],
): Check[] {
  const bad = objects
    .map(o => ({ o, v: classifyApiVersion(o.apiVersion, o.kind) }))
    .filter(x => x.v.status === 'unserved');
  const deprecated = objects
    .map(o => ({ o, v: classifyApiVersion(o.apiVersion, o.kind) }))
    .filter(x => x.v.status === 'deprecated');
  if (!bad.length && !identityWarnings.length) {
    return [
      check('api-version', {
        status: 'pass',
        message: deprecated.length
          ? `served (${deprecated.map(x => x.v.message).join('; ')})`
          : `${
              [...new Set(objects.map(o => o.apiVersion))].join(', ') ||
              'no manifests'
            } served`,
      }),
    ];
  }
  const messages = [
    ...bad.map(x => `${x.o.kind}/${x.o.name}: ${x.v.message}`),
    ...identityWarnings.map(w => w.message),
  ];
  return [
    check('api-version', {
      status: 'warn',
      message: messages.join('; '),
      evidence: [
        ...bad.map(x => ({
          source: `${x.o.kind}/${x.o.name}`,
          line: x.o.line,
          detail: `${x.o.source}: apiVersion ${x.o.apiVersion}`,
        })),
        ...identityWarnings.flatMap(w => w.evidence ?? []),
      ],
      fix: {
        summary:
          'Migrate the manifests to infrastructure.cluster.x-k8s.io/v1beta2 / controlplane.cluster.x-k8s.io/v1beta2 (CAPA) and cluster.x-k8s.io/v1beta2 (CAPI).',
      },
    }),
  ];
}

function identityReport(
  engine: Engine,
  mgmt: MgmtContext,
  identity: ParsedIdentity,
  users: Map<string, ClusterUnit[]>,
  direct: Map<string, ClusterUnit[]>,
): IdentityReport {
  const key = identityKey(identity);
  const ev = evaluateChain(engine, mgmt, {
    kind: identity.kind,
    name: identity.name,
  });
  const map = new Map(ev.checks);
  // namespace-allowed for an identity: its own allowedNamespaces against the namespaces of the clusters whose chain includes it.
  const using = users.get(key) ?? [];
  const summary = summarizeAllowedNamespaces(identity.allowedNamespaces);
  const ev0 = identityEvidence(identity, `allowedNamespaces: ${summary}`);
  const namespaces = [...new Set(using.map(u => u.namespace))];
  const decisions = namespaces.map(ns => ({
    ns,
    d: isNamespaceAllowed(
      identity.allowedNamespaces,
      ns,
      mgmt.parsed.namespaces.get(ns),
    ),
  }));
  const denied = decisions.filter(x => !x.d.allowed && !x.d.unknown);
  const unknown = decisions.filter(x => x.d.unknown);
  if (denied.length) {
    map.set(
      'namespace-allowed',
      check('namespace-allowed', {
        status: 'fail',
        message: `clusters in namespace(s) ${denied
          .map(x => x.ns)
          .join(', ')} use this identity but it does not allow them: ${
          denied[0].d.reason
        }`,
        evidence: [ev0],
        fix: {
          summary: `Add the namespaces to spec.allowedNamespaces.list of ${key}.`,
          snippet: [
            'spec:',
            '  allowedNamespaces:',
            '    list:',
            ...[
              ...new Set([
                ...(((identity.allowedNamespaces as any)?.list as string[]) ??
                  []),
                ...denied.map(x => x.ns),
              ]),
            ].map(n => `    - ${n}`),
          ].join('\n'),
          language: 'yaml',
        },
      }),
    );
  } else if (unknown.length) {
    map.set(
      'namespace-allowed',
      check('namespace-allowed', {
        status: 'warn',
        message: unknown.map(x => x.d.reason).join('; '),
        evidence: [ev0],
      }),
    );
  } else if (summary.startsWith('deny all')) {
    map.set(
      'namespace-allowed',
      check('namespace-allowed', {
        status: 'warn',
        message: `${key} allows no namespace (${summary}): no cluster can use it, not even through a chain`,
        evidence: [ev0],
        fix: {
          summary:
            'Set spec.allowedNamespaces: {} allows every namespace; a list restricts it.',
          snippet: 'spec:\n  allowedNamespaces:\n    list:\n    - <namespace>',
          language: 'yaml',
        },
      }),
    );
  } else {
    map.set(
      'namespace-allowed',
      check('namespace-allowed', {
        status: 'pass',
        message: `allowedNamespaces: ${summary}${
          namespaces.length ? `; admits ${namespaces.join(', ')}` : ''
        }`,
        evidence: [ev0],
      }),
    );
  }
  // controller-identity-name for the object itself
  if (
    identity.kind === CONTROLLER_IDENTITY_KIND &&
    identity.name !== CONTROLLER_IDENTITY_NAME
  ) {
    map.set(
      'controller-identity-name',
      check('controller-identity-name', {
        status: 'fail',
        message: `AWSClusterControllerIdentity/${identity.name}: the controller identity is a singleton named "default"; CAPA's webhook rejects this object`,
        evidence: [identityEvidence(identity)],
        fix: {
          summary: 'Rename it to default.',
          snippet: 'metadata:\n  name: default',
          language: 'yaml',
        },
      }),
    );
  }
  map.set('static-credentials', ev.staticCheck);
  map.set('api-version', ev.apiVersionCheck);
  const checks = ordered(map);
  return {
    managementCluster: mgmt.name,
    kind: identity.kind,
    name: identity.name,
    accountId: ev.accountId,
    roleArn: identity.roleArn,
    verdict: verdictOf(checks),
    checks,
    chain: ev.chain.links,
    usedBy: (direct.get(key) ?? []).map(u => ({
      namespace: u.namespace,
      name: u.name,
    })),
    apiVersion: identity.apiVersion,
    location: identity.location,
  };
}

function newEngine(
  input: FleetInput,
  live: LiveEvidence | undefined,
  now: Date,
): Engine {
  return {
    fleet: buildFleetContext(input, live),
    hopCache: new Map(),
    chainEvalCache: new Map(),
    nsCache: new Map(),
    now,
  };
}

/** Evaluates a fleet. Never throws: unusable input ends up in `problems`. */
export function evaluateFleet(
  input: FleetInput,
  live?: LiveEvidence,
  options?: { now?: Date },
): FleetReport {
  const now =
    options?.now instanceof Date && !Number.isNaN(options.now.getTime())
      ? options.now
      : new Date();
  let engine: Engine;
  try {
    engine = newEngine(input, live, now);
  } catch (e) {
    return {
      accounts: [],
      clusters: [],
      identities: [],
      managementClusters: [],
      problems: [
        {
          source: 'input',
          message: `input could not be read: ${String(e)}`,
          severity: 'error',
        },
      ],
      generatedAt: now.toISOString(),
    };
  }
  const fleet = engine.fleet;
  const problems = [...fleet.problems];
  const clusters: ClusterReport[] = [];
  const identities: IdentityReport[] = [];
  const managementClusters: ManagementClusterReport[] = [];
  for (const mgmt of fleet.mgmts) {
    const users = new Map<string, ClusterUnit[]>();
    const direct = new Map<string, ClusterUnit[]>();
    for (const unit of mgmt.units) {
      try {
        const report = clusterReport(engine, mgmt, unit);
        clusters.push(report);
        if (unit.identityRef) {
          const k = identityKey(unit.identityRef);
          const d = direct.get(k);
          if (d) d.push(unit);
          else direct.set(k, [unit]);
          for (const l of report.chain) {
            const lk = ref(l.kind, l.name);
            const arr = users.get(lk);
            if (arr) arr.push(unit);
            else users.set(lk, [unit]);
          }
        }
      } catch (e) {
        problems.push({
          source:
            unit.cluster?.location.source ??
            unit.carrier?.location.source ??
            mgmt.name,
          line: unit.cluster?.location.line,
          object: `Cluster/${unit.namespace}/${unit.name}`,
          message: `cluster could not be evaluated: ${String(e)}`,
          severity: 'error',
        });
      }
    }
    for (const identity of mgmt.parsed.identities) {
      try {
        identities.push(identityReport(engine, mgmt, identity, users, direct));
      } catch (e) {
        problems.push({
          source: identity.location.source,
          line: identity.location.line,
          object: identityKey(identity),
          message: `identity could not be evaluated: ${String(e)}`,
          severity: 'error',
        });
      }
    }
    managementClusters.push({
      name: mgmt.name,
      accountId: mgmt.accountId,
      controllerPrincipalArn: mgmt.principalArn,
      clusterCount: mgmt.units.length,
      identityCount: mgmt.parsed.identities.length,
    });
  }
  let accounts: AccountReport[] = [];
  try {
    accounts = accountReports(fleet, clusters, identities);
  } catch (e) {
    problems.push({
      source: 'accounts',
      message: `accounts could not be aggregated: ${String(e)}`,
      severity: 'error',
    });
  }
  return {
    accounts,
    clusters,
    identities,
    managementClusters,
    problems,
    generatedAt: now.toISOString(),
  };
}

function accountReports(
  fleet: FleetContext,
  clusters: ClusterReport[],
  identities: IdentityReport[],
): AccountReport[] {
  const ids = new Map<string, AccountReport['sources']>();
  const add = (id: string | undefined, s: AccountReport['sources'][number]) => {
    if (!id) return;
    const list = ids.get(id) ?? [];
    if (!list.includes(s)) list.push(s);
    ids.set(id, list);
  };
  for (const a of fleet.accounts.keys()) add(a, 'config');
  for (const a of fleet.managementAccounts.keys()) add(a, 'management');
  for (const i of identities) {
    if (i.kind === ROLE_IDENTITY_KIND || i.kind === STATIC_IDENTITY_KIND)
      add(i.accountId, 'identity');
  }
  for (const c of clusters)
    if (c.accountId && !ids.has(c.accountId)) add(c.accountId, 'identity');
  for (const a of ids.keys())
    if (fleet.organization?.has(a)) add(a, 'organizations');

  const clustersBy = new Map<string, ClusterReport[]>();
  for (const c of clusters) {
    if (!c.accountId) continue;
    const l = clustersBy.get(c.accountId);
    if (l) l.push(c);
    else clustersBy.set(c.accountId, [c]);
  }
  const identitiesBy = new Map<string, IdentityReport[]>();
  for (const i of identities) {
    // Role identities land in their role's account, the controller identity in the management account, static
    // identities in the account of their access keys (known from the `amazonaws.com/account-id` annotation).
    if (!i.accountId) continue;
    const l = identitiesBy.get(i.accountId);
    if (l) l.push(i);
    else identitiesBy.set(i.accountId, [i]);
  }

  const out: AccountReport[] = [];
  for (const [accountId, sources] of ids) {
    const cfg = fleet.accounts.get(accountId);
    const org = fleet.organization?.get(accountId);
    const known = accountKnown(fleet, accountId, false);
    const cs = clustersBy.get(accountId) ?? [];
    const is = identitiesBy.get(accountId) ?? [];
    const checks: Check[] = [known];
    const verdicts: Verdict[] = [
      ...cs.map(c => c.verdict),
      ...is.map(i => i.verdict),
    ];
    const knownVerdict: Verdict =
      known.status === 'fail'
        ? 'broken'
        : known.status === 'warn'
        ? 'degraded'
        : 'configured';
    // Nothing targets the account: only account-known speaks, and it cannot prove trust.
    const verdict: Verdict = verdicts.length
      ? aggregateVerdicts([
          ...verdicts,
          ...(known.status === 'pass' ? [] : [knownVerdict]),
        ])
      : known.status === 'pass'
      ? 'unknown'
      : knownVerdict;
    const report: AccountReport = {
      accountId,
      name: cfg?.name ?? org?.name,
      tier: cfg?.tier,
      owner: cfg?.owner,
      email: org?.email,
      status: org?.status,
      verdict,
      checks,
      sources,
      managementClusters: fleet.managementAccounts.get(accountId) ?? [],
      clusters: cs.map(c => ({
        managementCluster: c.managementCluster,
        namespace: c.namespace,
        name: c.name,
        verdict: c.verdict,
      })),
      identities: is.map(i => ({
        managementCluster: i.managementCluster,
        kind: i.kind,
        name: i.name,
        verdict: i.verdict,
      })),
    };
    out.push(report);
  }
  out.sort((a, b) => a.accountId.localeCompare(b.accountId));
  return out;
}

/** What live verification must ask AWS for this fleet: trust policies, simulations, chains to assume. */
export function planEvidence(input: FleetInput): EvidencePlan {
  const roleArns = new Set<string>();
  const simulations = new Map<
    string,
    { key: string; principalArn: string; roleArn: string }
  >();
  const chains = new Map<string, ChainPlan>();
  const eksClusters = new Map<string, EksClusterPlan>();
  let engine: Engine;
  try {
    engine = newEngine(input, undefined, new Date(0));
  } catch {
    return { roleArns: [], simulations: [], chains: [], eksClusters: [] };
  }
  for (const mgmt of engine.fleet.mgmts) {
    for (const identity of mgmt.parsed.identities) {
      try {
        if (
          identity.kind === ROLE_IDENTITY_KIND &&
          identity.roleArn &&
          accountOfArn(identity.roleArn)
        )
          roleArns.add(identity.roleArn);
        const ev = evaluateChain(engine, mgmt, {
          kind: identity.kind,
          name: identity.name,
        });
        addPlan(mgmt, ev);
      } catch {
        // never throw
      }
    }
    for (const unit of mgmt.units) {
      if (!unit.identityRef) continue;
      try {
        const ev = evaluateChain(engine, mgmt, unit.identityRef);
        addPlan(mgmt, ev);
        const eks = eksLookupOf(unit, ev);
        if (eks && !eksClusters.has(eks.key)) eksClusters.set(eks.key, eks);
      } catch {
        // never throw
      }
    }
  }
  function addPlan(mgmt: MgmtContext, ev: ChainEvaluation) {
    if (ev.plan && !chains.has(ev.plan.key)) chains.set(ev.plan.key, ev.plan);
    if (
      ev.chain.root !== 'controller' ||
      ev.chain.problems.some(p => p.kind === 'cycle')
    )
      return;
    let principal: string | undefined = mgmt.principalArn;
    for (const h of hopsOf(ev.chain)) {
      const roleArn = h.identity.roleArn;
      if (!roleArn || !accountOfArn(roleArn)) break;
      if (principal) {
        const key = `${principal} -> ${roleArn}`;
        if (!simulations.has(key))
          simulations.set(key, { key, principalArn: principal, roleArn });
      }
      principal = roleArn;
    }
  }
  return {
    roleArns: [...roleArns].sort(),
    simulations: [...simulations.values()].sort((a, b) =>
      a.key.localeCompare(b.key),
    ),
    chains: [...chains.values()].sort((a, b) => a.key.localeCompare(b.key)),
    eksClusters: [...eksClusters.values()].sort((a, b) =>
      a.key.localeCompare(b.key),
    ),
  };
}

/**
 * The eks:DescribeCluster lookup of an EKS cluster (an `AWSManagedControlPlane` with a region) whose chain can be
 * assumed, or undefined. CAPA names the EKS cluster `spec.eksClusterName`, else `<namespace>_<name>`.
 */
function eksLookupOf(
  unit: ClusterUnit,
  ev: ChainEvaluation,
): EksClusterPlan | undefined {
  const carrier = unit.carrier;
  if (!carrier || carrier.kind !== 'AWSManagedControlPlane') return undefined;
  if (!ev.plan || !carrier.region) return undefined;
  const name = carrier.eksClusterName ?? `${unit.namespace}_${carrier.name}`;
  return {
    key: eksClusterKey(ev.plan.key, carrier.region, name),
    chainKey: ev.plan.key,
    region: carrier.region,
    name,
  };
}

/** The stable key of the chain an identity starts, as used by `LiveEvidence.assumeResults`. */
export function chainKey(
  input: FleetInput,
  managementCluster: string,
  identityRef: IdentityRef,
): string | undefined {
  try {
    const engine = newEngine(input, undefined, new Date(0));
    const mgmt = engine.fleet.mgmts.find(m => m.name === managementCluster);
    if (!mgmt) return undefined;
    return evaluateChain(engine, mgmt, identityRef).key;
  } catch {
    return undefined;
  }
}

export type { CheckStatus };
