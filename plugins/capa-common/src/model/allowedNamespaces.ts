/* eslint-disable no-nested-ternary */
import { isRecord } from '../records';
/*
 * CAPA's `allowedNamespaces` semantics, exactly as `isClusterPermittedToUsePrincipal` in
 * pkg/cloud/scope/session.go implements them (not as the API docs describe them):
 *
 *   1. nil (absent or `null`)                        -> deny
 *   2. cmp.Equal(*allowedNs, AllowedNamespaces{})      -> allow all
 *      (Go's cmp.Equal tells a nil slice / map from an empty one: `list: []` or `matchLabels: {}` is NOT empty)
 *   3. namespace in `list`                             -> allow (list OR selector)
 *   4. metav1.LabelSelectorAsSelector(selector) fails  -> error (the cluster cannot use the identity)
 *      selector.Empty() (no matchLabels / matchExpressions entries) -> deny
 *   5. the Namespace object's labels match the selector -> allow, else deny
 */

/** @public */
export interface NamespaceDecision {
  allowed: boolean;
  /** True when the answer depends on a Namespace object's labels that were not read. `allowed` is false then. */
  unknown?: boolean;
  /** Which CAPA rule decided: 1..5, or 0 for malformed input. */
  rule: 0 | 1 | 2 | 3 | 4 | 5;
  reason: string;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

const METADATA_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Go's json decoding: absent or null -> nil. */
function isNil(v: unknown): boolean {
  return v === undefined || v === null;
}

/**
 * Validates an allowedNamespaces value's *shape* (types). Returns a message for wrong types, else undefined.
 * Used by the parser to turn malformed identities into input problems.
 */
export function allowedNamespacesShapeError(
  value: unknown,
): string | undefined {
  if (isNil(value)) return undefined;
  if (!isRecord(value)) return 'allowedNamespaces must be an object or null';
  const list = value.list;
  if (
    !isNil(list) &&
    (!Array.isArray(list) || list.some(x => typeof x !== 'string'))
  ) {
    return 'allowedNamespaces.list must be a list of strings or null';
  }
  const sel = value.selector;
  if (!isNil(sel)) {
    if (!isRecord(sel)) return 'allowedNamespaces.selector must be an object';
    const ml = sel.matchLabels;
    if (
      !isNil(ml) &&
      (!isRecord(ml) || Object.values(ml).some(x => typeof x !== 'string'))
    ) {
      return 'allowedNamespaces.selector.matchLabels must be a map of strings';
    }
    const me = sel.matchExpressions;
    if (!isNil(me)) {
      if (!Array.isArray(me))
        return 'allowedNamespaces.selector.matchExpressions must be a list';
      for (const r of me) {
        if (
          !isRecord(r) ||
          typeof r.key !== 'string' ||
          typeof r.operator !== 'string'
        ) {
          return 'allowedNamespaces.selector.matchExpressions entries need string key and operator';
        }
        if (
          !isNil(r.values) &&
          (!Array.isArray(r.values) ||
            r.values.some(x => typeof x !== 'string'))
        ) {
          return 'allowedNamespaces.selector.matchExpressions[].values must be a list of strings';
        }
      }
    }
  }
  return undefined;
}

/** True for the Go zero value of AllowedNamespaces (rule 2). */
function isZeroValue(value: Record<string, unknown>): boolean {
  if (!isNil(value.list)) return false;
  const sel = value.selector;
  if (isNil(sel)) return true;
  if (!isRecord(sel)) return false;
  return isNil(sel.matchLabels) && isNil(sel.matchExpressions);
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function labelKeyError(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return `invalid label key ${JSON.stringify(key)}`;
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (
    prefix !== undefined &&
    (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))
  ) {
    return `invalid label key prefix ${JSON.stringify(key)}`;
  }
  if (!name || name.length > 63 || !LABEL_NAME.test(name))
    return `invalid label key ${JSON.stringify(key)}`;
  return undefined;
}

function labelValueError(v: string): string | undefined {
  if (v.length > 63 || !LABEL_VALUE.test(v))
    return `invalid label value ${JSON.stringify(v)}`;
  return undefined;
}

interface CompiledSelector {
  requirements: Array<{
    key: string;
    op: 'in' | 'notin' | 'exists' | '!' | '=';
    values: string[];
  }>;
}

/** metav1.LabelSelectorAsSelector: validation errors as CAPA would get them. */
function compileSelector(sel: Record<string, unknown> | undefined): {
  selector?: CompiledSelector;
  error?: string;
} {
  const requirements: CompiledSelector['requirements'] = [];
  if (!sel) return { selector: { requirements } };
  const ml = (sel.matchLabels ?? {}) as Record<string, string>;
  for (const [k, v] of Object.entries(ml)) {
    const err = labelKeyError(k) ?? labelValueError(String(v));
    if (err) return { error: err };
    requirements.push({ key: k, op: '=', values: [String(v)] });
  }
  const me = (sel.matchExpressions ?? []) as LabelSelectorRequirement[];
  for (const r of me) {
    const values = r.values ?? [];
    const keyErr = labelKeyError(r.key);
    if (keyErr) return { error: keyErr };
    switch (r.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0)
          return {
            error: `${r.operator} on ${r.key} needs at least one value`,
          };
        for (const v of values) {
          const e = labelValueError(v);
          if (e) return { error: e };
        }
        requirements.push({
          key: r.key,
          op: r.operator === 'In' ? 'in' : 'notin',
          values,
        });
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0)
          return { error: `${r.operator} on ${r.key} must not have values` };
        requirements.push({
          key: r.key,
          op: r.operator === 'Exists' ? 'exists' : '!',
          values: [],
        });
        break;
      default:
        return {
          error: `${JSON.stringify(
            r.operator,
          )} is not a valid label selector operator`,
        };
    }
  }
  return { selector: { requirements } };
}

function matches(
  selector: CompiledSelector,
  labels: Record<string, string>,
): boolean {
  return selector.requirements.every(r => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = labels[r.key];
    switch (r.op) {
      case '=':
      case 'in':
        return has && r.values.includes(v);
      case 'notin':
        return !has || !r.values.includes(v);
      case 'exists':
        return has;
      case '!':
        return !has;
      default:
        return false;
    }
  });
}

/**
 * Decides whether a cluster in `namespace` may use an identity with this `allowedNamespaces` value.
 * `namespaceLabels`: the labels of the Namespace object, or undefined when no Namespace object was read.
 * (The API server sets `kubernetes.io/metadata.name` on every namespace; it is added here.)
 *
 * @public
 */
export function isNamespaceAllowed(
  allowedNamespaces: unknown,
  namespace: string,
  namespaceLabels?: Record<string, string>,
): NamespaceDecision {
  if (isNil(allowedNamespaces)) {
    return {
      allowed: false,
      rule: 1,
      reason: 'allowedNamespaces is not set: CAPA allows no namespace',
    };
  }
  const shape = allowedNamespacesShapeError(allowedNamespaces);
  if (shape)
    return {
      allowed: false,
      rule: 0,
      reason: `${shape}: CAPA cannot decode it`,
    };
  const value = allowedNamespaces as Record<string, unknown>;
  if (isZeroValue(value)) {
    return {
      allowed: true,
      rule: 2,
      reason: 'allowedNamespaces is empty ({}): CAPA allows every namespace',
    };
  }
  const list = (value.list ?? []) as string[];
  if (list.includes(namespace)) {
    return {
      allowed: true,
      rule: 3,
      reason: `namespace ${namespace} is in allowedNamespaces.list`,
    };
  }
  const sel = isRecord(value.selector) ? value.selector : undefined;
  const compiled = compileSelector(sel);
  if (compiled.error) {
    return {
      allowed: false,
      rule: 4,
      reason: `allowedNamespaces.selector is invalid (${compiled.error}): CAPA fails with an error`,
    };
  }
  const selector = compiled.selector!;
  if (selector.requirements.length === 0) {
    return {
      allowed: false,
      rule: 4,
      reason: list.length
        ? `namespace ${namespace} is not in allowedNamespaces.list [${list.join(
            ', ',
          )}] and the selector is empty`
        : 'allowedNamespaces has an empty list / selector: CAPA allows no namespace',
    };
  }
  let labels = namespaceLabels;
  if (!labels) {
    // Without the Namespace object we still know the label the API server sets.
    const onlyName = selector.requirements.every(
      r => r.key === METADATA_NAME_LABEL,
    );
    if (!onlyName) {
      return {
        allowed: false,
        unknown: true,
        rule: 5,
        reason: `the selector needs the labels of Namespace ${namespace}, which was not read`,
      };
    }
    labels = {};
  }
  const withName = { ...labels, [METADATA_NAME_LABEL]: namespace };
  return matches(selector, withName)
    ? {
        allowed: true,
        rule: 5,
        reason: `Namespace ${namespace} matches allowedNamespaces.selector`,
      }
    : {
        allowed: false,
        rule: 5,
        reason: `Namespace ${namespace} does not match allowedNamespaces.selector${
          list.length ? ` and is not in list [${list.join(', ')}]` : ''
        }`,
      };
}

/** How CAPA reads an allowedNamespaces value, in words. */
export function summarizeAllowedNamespaces(value: unknown): string {
  if (isNil(value)) return 'deny all (not set)';
  if (allowedNamespacesShapeError(value)) return 'malformed';
  const v = value as Record<string, unknown>;
  if (isZeroValue(v)) return 'allow all ({})';
  const parts: string[] = [];
  const list = (v.list ?? []) as string[];
  if (list.length) parts.push(`list: ${list.join(', ')}`);
  const sel = isRecord(v.selector) ? v.selector : undefined;
  const compiled = compileSelector(sel);
  if (compiled.error) parts.push(`invalid selector (${compiled.error})`);
  else if (compiled.selector!.requirements.length) {
    parts.push(
      `selector: ${compiled
        .selector!.requirements.map(r =>
          r.op === '='
            ? `${r.key}=${r.values[0]}`
            : r.op === 'exists'
            ? r.key
            : r.op === '!'
            ? `!${r.key}`
            : `${r.key} ${r.op} (${r.values.join(',')})`,
        )
        .join(', ')}`,
    );
  }
  return parts.length ? parts.join('; ') : 'deny all (empty list / selector)';
}
