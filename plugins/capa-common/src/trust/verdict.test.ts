import type { Check, CheckStatus } from '../types';
import { aggregateVerdicts, verdictOf } from './verdict';

const c = (id: Check['id'], status: CheckStatus) => ({ id, status });

describe('verdictOf', () => {
  it.each([
    [
      'any fail is broken, even with warns',
      [c('target-trust', 'fail'), c('api-version', 'warn')],
      'broken',
    ],
    [
      'a warn without fail is degraded',
      [c('api-version', 'warn'), c('target-trust', 'pass')],
      'degraded',
    ],
    [
      'all pass and live-assume passed is trusted',
      [c('target-trust', 'pass'), c('live-assume', 'pass')],
      'trusted',
    ],
    [
      'live-assume passed outweighs skipped static checks',
      [c('target-trust', 'skip'), c('live-assume', 'pass')],
      'trusted',
    ],
    [
      'all pass and live-assume skipped is configured',
      [c('target-trust', 'pass'), c('live-assume', 'skip')],
      'configured',
    ],
    [
      'a skipped source-permission is unknown',
      [
        c('source-permission', 'skip'),
        c('target-trust', 'pass'),
        c('live-assume', 'skip'),
      ],
      'unknown',
    ],
    [
      'source-permission and target-trust both skipped is unknown',
      [
        c('source-permission', 'skip'),
        c('target-trust', 'skip'),
        c('live-assume', 'skip'),
      ],
      'unknown',
    ],
    ['no checks is unknown', [], 'unknown'],
  ])('%s', (_n, checks, verdict) =>
    expect(verdictOf(checks as any)).toBe(verdict),
  );
});

describe('aggregateVerdicts', () => {
  it.each([
    [['trusted', 'configured'], 'configured'],
    [['trusted', 'trusted'], 'trusted'],
    [['configured', 'unknown'], 'unknown'],
    [['unknown', 'degraded'], 'degraded'],
    [['degraded', 'broken', 'trusted'], 'broken'],
    [[], 'unknown'],
  ])('%j -> %s', (vs, v) => expect(aggregateVerdicts(vs as any)).toBe(v));
});
