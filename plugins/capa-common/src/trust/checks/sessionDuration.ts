/*
 * session-duration: `durationSeconds` within the CRD's 900..43200, at most 3600 when the source is itself a role
 * session (AWS's role-chaining limit), and within the target role's MaxSessionDuration.
 */
import type { CheckEvidence } from '../../types';
import type { TrustEvidence } from '../evidence';
import type { HopInput, PartialCheck } from '../types';
import { roleName } from './check';
import { durationSecondsYaml } from './fixes';

/** The SDK default CAPA ends up with when durationSeconds is not set (stscreds.DefaultDuration = 15 min). */
export const DEFAULT_DURATION_SECONDS = 900;
export const MIN_DURATION_SECONDS = 900;
export const MAX_DURATION_SECONDS = 43200;
export const ROLE_CHAINING_MAX_SECONDS = 3600;

export function checkSessionDuration(
  hop: HopInput,
  trust: TrustEvidence | undefined,
): PartialCheck {
  const set = hop.durationSeconds;
  const ref = `${hop.identity.kind}/${hop.identity.name}`;
  const evidence: CheckEvidence[] = [
    {
      source: ref,
      line: hop.identity.location.line,
      detail: `${hop.identity.location.source}: spec.durationSeconds`,
      value: set || undefined,
    },
  ];
  if (set && (set < MIN_DURATION_SECONDS || set > MAX_DURATION_SECONDS)) {
    return {
      status: 'fail',
      message: `${ref}: durationSeconds ${set} is outside ${MIN_DURATION_SECONDS}..${MAX_DURATION_SECONDS} (the CRD rejects it)`,
      evidence,
      fix: {
        summary: `Set spec.durationSeconds between ${MIN_DURATION_SECONDS} and ${
          hop.source.roleSession
            ? ROLE_CHAINING_MAX_SECONDS
            : MAX_DURATION_SECONDS
        }.`,
        snippet: durationSecondsYaml(ROLE_CHAINING_MAX_SECONDS),
        language: 'yaml',
      },
    };
  }
  const effective = set || DEFAULT_DURATION_SECONDS;
  const label = set
    ? `durationSeconds ${set}`
    : `durationSeconds not set (the AWS SDK asks for ${DEFAULT_DURATION_SECONDS})`;
  if (hop.source.roleSession && effective > ROLE_CHAINING_MAX_SECONDS) {
    return {
      status: 'fail',
      message: `${ref}: ${label} exceeds the ${ROLE_CHAINING_MAX_SECONDS} s role-chaining limit: the source (${hop.source.identity}) is a role session, so AWS rejects the AssumeRole`,
      evidence,
      fix: {
        summary: `Set spec.durationSeconds of ${ref} to at most ${ROLE_CHAINING_MAX_SECONDS}.`,
        snippet: durationSecondsYaml(ROLE_CHAINING_MAX_SECONDS),
        language: 'yaml',
      },
    };
  }
  const withinCapa = `${ref}: ${label} is within ${MIN_DURATION_SECONDS}..${
    hop.source.roleSession
      ? `${ROLE_CHAINING_MAX_SECONDS} (role chaining)`
      : MAX_DURATION_SECONDS
  }`;
  if (
    trust &&
    trust.maxSessionDuration &&
    effective > trust.maxSessionDuration
  ) {
    const detail = {
      source: trust.source,
      detail: `MaxSessionDuration ${trust.maxSessionDuration}`,
    };
    const fix = {
      summary: `Lower spec.durationSeconds to ${trust.maxSessionDuration} or raise the role's MaxSessionDuration.`,
      snippet: durationSecondsYaml(trust.maxSessionDuration),
      language: 'yaml' as const,
    };
    if (trust.kind === 'config') {
      // From clusterawsadm config the limit is the IAM default the role was created with (3600 s), which may have
      // been raised since. CAPA's rules (900..43200, 3600 when chained) decide the status; the risk is told, not
      // guessed into the verdict. Live GetRole evidence (below) makes it a fact and a failure.
      return {
        status: 'pass',
        message: `${withinCapa}; note: clusterawsadm creates ${roleName(
          hop.roleArn,
        )} with MaxSessionDuration ${
          trust.maxSessionDuration
        } s, so STS refuses ${effective} s unless it was raised`,
        evidence: [...evidence, detail],
        fix,
      };
    }
    return {
      status: 'fail',
      message: `${ref}: ${label} exceeds the MaxSessionDuration (${
        trust.maxSessionDuration
      } s) of ${roleName(hop.roleArn)}`,
      evidence: [...evidence, detail],
      fix,
    };
  }
  return { status: 'pass', message: withinCapa, evidence };
}
