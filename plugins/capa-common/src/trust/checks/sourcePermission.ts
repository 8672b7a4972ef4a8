/* eslint-disable no-nested-ternary */
/*
 * source-permission: the hop's source principal may call sts:AssumeRole on the target role: IAM policy
 * simulation when it was run live, else the principal's clusterawsadm statements (and the session policy its
 * own session carries); in the role's own account a trust policy naming the principal is enough.
 */
import type { CheckEvidence } from '../../types';
import { accountOfArn } from '../../iam/arn';
import { evaluatePolicy } from '../../iam/evaluate';
import type { FleetContext } from '../context';
import {
  permissionsOf,
  requestContext,
  TrustEvidence,
  withFallback,
} from '../evidence';
import type { HopInput, PartialCheck } from '../types';
import { roleName, stmtEvidence } from './check';
import { assumeRolePermissionYaml, assumeRolePolicyJson } from './fixes';
import { crossPartition, crossPartitionCheck } from './partition';

/**
 * The answer of iam:SimulatePrincipalPolicy, when it was run: a check when it decided, else a note on why not
 * (the configuration decides then).
 */
function simulationCheck(
  fleet: FleetContext,
  arn: string,
  target: string,
): PartialCheck | { note: string } {
  const simKey = `${arn} -> ${target}`;
  const sim = fleet.live.simulations?.[simKey];
  if (!sim) return { note: '' };
  const evidence: CheckEvidence[] = [
    {
      source: `iam:SimulatePrincipalPolicy ${simKey} (${sim.checkedAt})`,
      detail: sim.decision,
      value: sim.matchedStatements,
    },
  ];
  if (sim.decision === 'allowed') {
    return {
      status: 'pass',
      message: `IAM policy simulation: ${arn} may sts:AssumeRole ${target}`,
      evidence,
    };
  }
  if (sim.decision === 'explicitDeny' || sim.decision === 'implicitDeny') {
    return {
      status: 'fail',
      message: `IAM policy simulation: ${arn} may not sts:AssumeRole ${target} (${sim.decision})`,
      evidence,
      fix: {
        summary: `Allow sts:AssumeRole on ${target} in a policy of ${arn}${
          sim.decision === 'explicitDeny' ? ' and remove the explicit Deny' : ''
        }.`,
        snippet: assumeRolePolicyJson(target),
        language: 'json',
      },
    };
  }
  return {
    note: ` (policy simulation failed: ${sim.message ?? sim.decision})`,
  };
}

/** In the role's own account, a trust policy that names the principal is enough without an identity policy. */
function sameAccountPass(
  target: string,
  arn: string,
  trust: TrustEvidence,
): PartialCheck {
  return {
    status: 'pass',
    message: `same account: the trust policy of ${roleName(
      target,
    )} names ${arn}, which is enough without an identity policy`,
    evidence: [
      { source: trust.source, detail: 'trust policy names the principal' },
    ],
  };
}

export function checkSourcePermission(
  fleet: FleetContext,
  hop: HopInput,
  trust: TrustEvidence | undefined,
  trustNamesPrincipal: boolean,
): PartialCheck {
  const target = hop.roleArn;
  const src = hop.source;
  if (src.kind === 'static' || !src.arn) {
    return {
      status: 'skip',
      message: `the principal behind the static credentials of ${src.identity} is unknown (its Secret is never read): only live-assume can decide`,
    };
  }
  // Before any policy: an identity policy's `arn:*:iam::*:role/...` would match a role of any partition.
  const partitions = crossPartition(hop);
  if (partitions)
    return crossPartitionCheck(hop, partitions, 'source-permission');
  const simulated = simulationCheck(fleet, src.arn, target);
  if ('status' in simulated) return simulated;
  const simNote = simulated.note;
  const sameAccount = src.accountId && src.accountId === accountOfArn(target);
  const sameAccountTrust =
    sameAccount && trustNamesPrincipal && trust
      ? sameAccountPass(target, src.arn, trust)
      : undefined;
  const perms = permissionsOf(fleet, src.arn);
  if (!perms) {
    if (sameAccountTrust)
      return {
        ...sameAccountTrust,
        message: `${sameAccountTrust.message}${simNote}`,
      };
    return {
      status: 'skip',
      message: `no evidence of ${
        src.arn
      }'s permissions: add the clusterawsadm iamConfiguration of account ${
        src.accountId ?? '?'
      } (when the principal is a role it creates) or gather live evidence (iam:SimulatePrincipalPolicy)${simNote}`,
    };
  }
  return configuredPermissionCheck(hop, perms, sameAccountTrust, simNote);
}

/** The principal's clusterawsadm permission statements (and its session policy) decide. */
function configuredPermissionCheck(
  hop: HopInput,
  perms: NonNullable<ReturnType<typeof permissionsOf>>,
  sameAccountTrust: PartialCheck | undefined,
  simNote: string,
): PartialCheck {
  const target = hop.roleArn;
  const src = hop.source;
  const ctx = requestContext(src, target, hop.externalId, hop.sessionName);
  const context = withFallback(perms.statements, ctx);
  const ev = evaluatePolicy(perms.statements, {
    action: 'sts:AssumeRole',
    resource: target,
    context,
  });
  const roleDesc = perms.role
    ? `${perms.role.name} (${perms.section})`
    : `${src.arn} (${perms.section})`;
  // A session policy (the source identity's inlinePolicy) caps what the source session may do.
  let sessionCap: ReturnType<typeof evaluatePolicy> | undefined;
  let sessionPolicyError: string | undefined;
  if (src.sessionPolicy) {
    try {
      const doc = JSON.parse(src.sessionPolicy);
      sessionCap = evaluatePolicy(doc, {
        action: 'sts:AssumeRole',
        resource: target,
        context,
      });
    } catch {
      sessionPolicyError = 'its inlinePolicy is not valid JSON';
    }
  }
  if (ev.decision === 'allowed') {
    if (sessionPolicyError) {
      return {
        status: 'fail',
        message: `${src.identity}'s session cannot be created: ${sessionPolicyError}`,
      };
    }
    if (sessionCap && sessionCap.decision !== 'allowed') {
      return {
        status: sessionCap.decision === 'unknown' ? 'warn' : 'fail',
        message: `${roleDesc} allows sts:AssumeRole on ${target}, but the session policy (spec.inlinePolicy of ${
          src.identity
        }) ${
          sessionCap.decision === 'unknown'
            ? `may not: ${sessionCap.reason}`
            : `does not: ${sessionCap.reason}`
        }`,
        evidence: ev.allowedBy.map(s => stmtEvidence(s)),
        fix: {
          summary: `Allow sts:AssumeRole on ${target} in spec.inlinePolicy of ${src.identity}, or remove the inlinePolicy.`,
        },
      };
    }
    return {
      status: 'pass',
      message: `${roleDesc} may sts:AssumeRole ${target}${simNote}`,
      evidence: ev.allowedBy.map(s => stmtEvidence(s)),
    };
  }
  if (sameAccountTrust && ev.decision === 'implicitDeny')
    return sameAccountTrust;
  if (ev.decision === 'unknown') {
    return {
      status: 'warn',
      message: `cannot decide whether ${roleDesc} may sts:AssumeRole ${target}: ${ev.reason}`,
      evidence: ev.undecided.map(s => stmtEvidence(s, s.reason)),
    };
  }
  if (ev.decision === 'implicitDeny' && perms.opaque.length) {
    return {
      status: 'warn',
      message: `the clusterawsadm statements of ${roleDesc} do not allow sts:AssumeRole on ${target}; the attached policies ${perms.opaque.join(
        ', ',
      )} are not read and may${simNote}`,
      evidence: [
        {
          source: perms.cfg.source,
          detail: 'extraPolicyAttachments',
          value: perms.opaque,
        },
      ],
    };
  }
  const patternHint = perms.cfg.allowAssumeRole
    ? ` (spec.allowAssumeRole only covers ${perms.cfg.allowedEC2InstanceProfiles.join(
        ', ',
      )}${
        perms.role && !perms.role.hasControllersPolicy
          ? ', and the controllers policy is not attached to this role (disableClusterAPIControllerPolicyAttachment)'
          : ''
      })`
    : perms.role?.hasControllersPolicy || perms.section === 'bootstrapUser'
    ? ' (spec.allowAssumeRole is not set)'
    : '';
  return {
    status: 'fail',
    message: `${roleDesc} may not sts:AssumeRole ${target}: ${ev.reason}${patternHint}${simNote}`,
    evidence:
      ev.decision === 'explicitDeny'
        ? ev.deniedBy.map(s => stmtEvidence(s))
        : [
            {
              source: perms.cfg.source,
              detail: `${perms.statements.length} permission statement(s) considered`,
            },
          ],
    fix: {
      summary: `Add an extraStatements entry allowing sts:AssumeRole on ${target} to spec.${
        perms.section
      } in ${perms.cfg.source} and update the stack${
        ev.decision === 'explicitDeny' ? '; remove the explicit Deny' : ''
      }.`,
      snippet: assumeRolePermissionYaml(perms.section, target),
      language: 'yaml',
    },
  };
}
