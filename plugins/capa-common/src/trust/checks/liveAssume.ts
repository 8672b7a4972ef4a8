/*
 * live-assume: the chain was assumed for real with STS (sts:AssumeRole along it, then sts:GetCallerIdentity) and
 * the caller's account is the role ARN's account.
 */
import type {
  ChainPlan,
  Check,
  CheckEvidence,
  LiveEvidence,
} from '../../types';
import { check } from './check';

export function liveAssumeCheck(
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
