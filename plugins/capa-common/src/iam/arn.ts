/*
 * ARN helpers and IAM wildcard matching. Pure.
 */

/** @public */
export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  /** Everything after the fifth colon, e.g. `role/path/name`. */
  resource: string;
}

/**
 * Parses `arn:partition:service:region:account:resource`. Returns undefined for anything else, and with
 * `complete` also when the partition, service or resource is empty (what an AWS call needs all three of).
 *
 * @public
 */
export function parseArn(
  arn: unknown,
  options?: { complete?: boolean },
): ParsedArn | undefined {
  if (typeof arn !== 'string' || !arn.startsWith('arn:')) return undefined;
  const parts = arn.split(':');
  if (parts.length < 6) return undefined;
  const parsed = {
    partition: parts[1],
    service: parts[2],
    region: parts[3],
    accountId: parts[4],
    resource: parts.slice(5).join(':'),
  };
  if (
    options?.complete &&
    (!parsed.partition || !parsed.service || !parsed.resource)
  )
    return undefined;
  return parsed;
}

/**
 * An AWS account id: 12 digits.
 *
 * @public
 */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;

/** @public */
export function isAccountId(value: unknown): value is string {
  return typeof value === 'string' && ACCOUNT_ID_PATTERN.test(value);
}

/**
 * The 12-digit account of an ARN (IAM role, user, root, STS assumed role).
 *
 * @public
 */
export function accountOfArn(arn: unknown): string | undefined {
  const p = parseArn(arn);
  return p && isAccountId(p.accountId) ? p.accountId : undefined;
}

/** @public */
export interface ParsedRoleArn {
  partition: string;
  accountId: string;
  /** The path between `role/` and the name, with slashes, e.g. `/` or `/team/`. */
  path: string;
  name: string;
}

/**
 * Parses an IAM role ARN `arn:aws:iam::123456789012:role/path/name`.
 *
 * @public
 */
export function parseRoleArn(arn: unknown): ParsedRoleArn | undefined {
  const p = parseArn(arn);
  if (!p || p.service !== 'iam' || !p.resource.startsWith('role/'))
    return undefined;
  const rest = p.resource.slice('role/'.length);
  if (!rest) return undefined;
  const slash = rest.lastIndexOf('/');
  const name = slash >= 0 ? rest.slice(slash + 1) : rest;
  const path = slash >= 0 ? `/${rest.slice(0, slash + 1)}` : '/';
  if (!name) return undefined;
  return { partition: p.partition, accountId: p.accountId, path, name };
}

/** The IAM role ARN for an STS assumed-role ARN (`arn:aws:sts::a:assumed-role/name/session`), path unknown. */
export function roleArnOfAssumedRole(arn: string): string | undefined {
  const p = parseArn(arn);
  if (!p || p.service !== 'sts' || !p.resource.startsWith('assumed-role/'))
    return undefined;
  const [, name] = p.resource.split('/');
  return name
    ? `arn:${p.partition}:iam::${p.accountId}:role/${name}`
    : undefined;
}

const globCache = new Map<string, RegExp>();

/**
 * IAM wildcard match: `*` any run of characters (including none), `?` exactly one character.
 * `ignoreCase` for actions and *IgnoreCase operators.
 */
export function globMatch(
  pattern: string,
  value: string,
  ignoreCase = false,
): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) {
    return ignoreCase
      ? pattern.toLowerCase() === value.toLowerCase()
      : pattern === value;
  }
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let re = globCache.get(key);
  if (!re) {
    const body = pattern
      .split('')
      .map(c => {
        if (c === '*') return '[\\s\\S]*';
        if (c === '?') return '[\\s\\S]';
        return c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
      })
      .join('');
    re = new RegExp(`^${body}$`, ignoreCase ? 'i' : '');
    if (globCache.size > 10000) globCache.clear();
    globCache.set(key, re);
  }
  return re.test(value);
}

/**
 * ArnLike: each of the six colon-separated components is matched separately (wildcards do not cross
 * component boundaries, except in the final resource component, which may itself contain colons).
 */
export function arnLike(pattern: string, value: string): boolean {
  const pp = pattern.split(':');
  const vp = value.split(':');
  if (pp.length < 6 || vp.length < 6) return false;
  for (let i = 0; i < 5; i++) {
    if (!globMatch(pp[i], vp[i])) return false;
  }
  return globMatch(pp.slice(5).join(':'), vp.slice(5).join(':'));
}
