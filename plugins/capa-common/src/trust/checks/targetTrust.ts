/* eslint-disable no-nested-ternary */
/*
 * target-trust: the target role's trust policy allows the hop's source principal to sts:AssumeRole, with its
 * conditions (sts:ExternalId, aws:PrincipalTag/*, ...) evaluated against the request CAPA sends.
 */
import type { Check } from '../../types';
import { accountOfArn, parseArn } from '../../iam/arn';
import {
  evaluatePolicy,
  StatementResult,
  usesNotPrincipal,
} from '../../iam/evaluate';
import { ROLE_SECTIONS } from '../../clusterawsadm/iamConfiguration';
import {
  principalOf,
  requestContext,
  TrustEvidence,
  withFallback,
} from '../evidence';
import type { HopInput, PartialCheck } from '../types';
import { roleName, stmtEvidence } from './check';
import { trustStatementJson, trustStatementYaml } from './fixes';
import { crossPartition, crossPartitionCheck } from './partition';

const NOT_PRINCIPAL_DOC =
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html';

function label(s: StatementResult): string {
  return `statement ${s.index ?? '?'}${
    s.statement.Sid ? ` (${s.statement.Sid})` : ''
  }`;
}

/**
 * A role trust policy cannot use NotPrincipal, and NotPrincipal with Allow is not supported anywhere (AWS:
 * reference_policies_elements_notprincipal.html): the statements that do, said once, for any outcome.
 */
function notPrincipalNote(statements: StatementResult[]): string {
  const list = statements.filter(s => usesNotPrincipal(s.statement));
  if (!list.length) return '';
  return `; ${list.map(label).join(', ')} ${
    list.length > 1 ? 'use' : 'uses'
  } NotPrincipal, which a role trust policy cannot use (${NOT_PRINCIPAL_DOC}): an Allow with it lets nobody in, and a Deny with it has no documented meaning`;
}

/** AWS's recommended replacement for NotPrincipal: Principal plus a condition on aws:PrincipalArn. */
function notPrincipalFix(statements: StatementResult[]): Check['fix'] {
  const names = statements.map(label).join(', ');
  return {
    summary: `Rewrite ${names} without NotPrincipal, as AWS recommends: an Allow names its principals in Principal; a Deny of everyone but some principals is "Principal": "*" with a Condition ArnNotEquals on aws:PrincipalArn.`,
    snippet: JSON.stringify(
      {
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'sts:AssumeRole',
        Condition: {
          ArnNotEquals: { 'aws:PrincipalArn': ['<principal to spare>'] },
        },
      },
      null,
      2,
    ),
    language: 'json',
  };
}

/** The check, and whether an allowing statement names the source principal itself (enough in its own account). */
export function checkTargetTrust(
  hop: HopInput,
  trust: TrustEvidence | undefined,
): { check: PartialCheck; namesPrincipal: boolean } {
  const target = hop.roleArn;
  const account = accountOfArn(target);
  const partitions = crossPartition(hop);
  if (partitions) {
    return {
      namesPrincipal: false,
      check: crossPartitionCheck(hop, partitions, 'target-trust'),
    };
  }
  if (!trust) {
    return {
      namesPrincipal: false,
      check: {
        status: 'skip',
        message: `no evidence of ${roleName(
          target,
        )}'s trust policy: add the clusterawsadm iamConfiguration of account ${
          account ?? '?'
        } (a role it creates) or gather live evidence (iam:GetRole ${target})`,
      },
    };
  }
  if (trust.kind === 'missing') {
    return {
      namesPrincipal: false,
      check: {
        status: 'fail',
        message: `role ${target} does not exist (iam:GetRole: NoSuchEntity)`,
        evidence: [{ source: trust.source, detail: trust.message }],
        fix: {
          summary: `Create the role in account ${account}, e.g. with clusterawsadm bootstrap iam create-cloudformation-stack, or correct spec.roleARN of ${hop.identity.kind}/${hop.identity.name}.`,
        },
      },
    };
  }
  const principal = principalOf(hop.source);
  const ctx = requestContext(
    hop.source,
    target,
    hop.externalId,
    hop.sessionName,
  );
  const context = withFallback(trust.statements, ctx);
  const ev = evaluatePolicy(trust.statements, {
    principal,
    action: 'sts:AssumeRole',
    partition: parseArn(target)?.partition,
    context,
  });
  const notPrincipal = notPrincipalNote(ev.statements);
  const who =
    hop.source.arn ?? `the static credentials of ${hop.source.identity}`;
  const note = trust.note
    ? ` (${trust.note}; used the clusterawsadm configuration)`
    : '';
  const namesPrincipal =
    ev.decision === 'allowed' &&
    !!hop.source.arn &&
    ev.allowedBy.some(s => {
      const p = s.statement.Principal;
      if (!p || typeof p !== 'object') return false;
      const aws = (p as Record<string, unknown>).AWS;
      const list = Array.isArray(aws) ? aws : [aws];
      return list.includes(hop.source.arn);
    });
  if (ev.decision === 'allowed') {
    return {
      namesPrincipal,
      check: {
        status: 'pass',
        message: `the trust policy of ${roleName(
          target,
        )} allows ${who} to sts:AssumeRole${note}${notPrincipal}`,
        evidence: ev.allowedBy.map(s => stmtEvidence(s)),
      },
    };
  }
  if (ev.decision === 'unknown') {
    return {
      namesPrincipal: false,
      check: {
        status: 'warn',
        message: `cannot decide whether the trust policy of ${roleName(
          target,
        )} allows ${who}: ${ev.reason}${
          hop.source.kind === 'static'
            ? ' (static credentials: the principal is not known)'
            : ''
        }${note}`,
        evidence: ev.undecided.map(s => stmtEvidence(s, s.reason)),
        ...(ev.undecided.some(s => usesNotPrincipal(s.statement))
          ? {
              fix: notPrincipalFix(
                ev.undecided.filter(s => usesNotPrincipal(s.statement)),
              ),
            }
          : {}),
      },
    };
  }
  const principalArn = hop.source.arn;
  const fix: Check['fix'] =
    trust.kind === 'config' && trust.role && principalArn
      ? {
          summary: `Add a trust statement for ${principalArn} to ${
            ROLE_SECTIONS[trust.role.key]
          }.trustStatements in ${
            trust.source
          } and update the CloudFormation stack (clusterawsadm bootstrap iam create-cloudformation-stack).`,
          snippet: trustStatementYaml(
            ROLE_SECTIONS[trust.role.key],
            principalArn,
            hop.externalId,
          ),
          language: 'yaml',
        }
      : {
          summary: `Add this statement to the trust policy of ${target}.`,
          snippet: trustStatementJson(principalArn, hop.externalId),
          language: 'json',
        };
  const denied = ev.decision === 'explicitDeny';
  const allowNotPrincipal = ev.statements.filter(
    s => s.effect === 'Allow' && usesNotPrincipal(s.statement),
  );
  if (!denied && allowNotPrincipal.length) {
    return {
      namesPrincipal: false,
      check: {
        status: 'fail',
        message: `the trust policy of ${roleName(
          target,
        )} does not allow ${who} to sts:AssumeRole: ${allowNotPrincipal
          .map(label)
          .join(
            ', ',
          )} uses NotPrincipal with Effect Allow, which AWS does not support (and a role trust policy cannot use NotPrincipal at all, ${NOT_PRINCIPAL_DOC}): it lets nobody in${note}`,
        evidence: allowNotPrincipal.map(s =>
          stmtEvidence(s, `${label(s)}: ${s.reason}`),
        ),
        fix: {
          ...fix,
          summary: `Replace ${allowNotPrincipal
            .map(label)
            .join(
              ', ',
            )} (NotPrincipal) with a statement whose Principal names ${
            principalArn ?? 'the principal'
          }: ${fix?.summary ?? ''}`,
        },
      },
    };
  }
  const conditionFailures = ev.statements.filter(
    s =>
      s.effect === 'Allow' &&
      s.result === 'no' &&
      s.reason &&
      /sts:ExternalId|aws:PrincipalTag|aws:SourceAccount|aws:PrincipalArn|Condition|does not satisfy|absent/i.test(
        s.reason,
      ),
  );
  const why = denied
    ? ev.reason
    : conditionFailures.length
    ? `statement ${conditionFailures[0].index} names the principal but its condition fails: ${conditionFailures[0].reason}`
    : `no statement allows ${who}`;
  return {
    namesPrincipal: false,
    check: {
      status: 'fail',
      message: `the trust policy of ${roleName(
        target,
      )} does not allow ${who} to sts:AssumeRole: ${why}${note}`,
      evidence: (denied
        ? ev.deniedBy
        : conditionFailures.length
        ? conditionFailures
        : ev.statements
      ).map(s => stmtEvidence(s, s.reason)),
      fix,
    },
  };
}
