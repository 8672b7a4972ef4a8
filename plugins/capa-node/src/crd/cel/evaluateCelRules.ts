/*
 * Runs compiled CEL rules over an object the way kube-apiserver's CRD validator does
 * (k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/validation.go):
 * - a node's rules run with `self` bound to the node's value, only when the value is present and not null;
 * - a rule that yields false is reported at the node's path (extended by the rule's `fieldPath`) with the
 *   rule's `messageExpression` result, else its `message`, else `failed rule: <rule>`;
 * - the error reads as `field.Error` prints it: `Invalid value: "<scalar>": <message>` for strings, numbers
 *   and booleans, `Invalid value: <message>` for objects and lists (their value is omitted), and
 *   `Forbidden` / `Required value` / `Duplicate value` for the rule's `reason`;
 * - an evaluation error reads `<error> evaluating rule: <rule>`.
 */
import { isCelError } from '@bufbuild/cel';
import type { CelRule, CelSchemaNode } from './compileCelRules';
import { formatPath } from '../fieldPath';

export interface CelRuleError {
  /** Dotted path with list indexes, e.g. `spec.kubeadmConfigSpec.diskSetup.partitions[0]`. */
  path: string;
  message: string;
  rule: string;
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON value -> CEL input typed by the schema (`integer` fields become CEL ints). */
function toCel(node: CelSchemaNode | undefined, value: unknown): unknown {
  if (Array.isArray(value)) return value.map(v => toCel(node?.items, v));
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = toCel(node?.properties[k] ?? node?.additionalProperties, v);
    }
    return out;
  }
  if (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    (node?.type === 'integer' || node?.intOrString)
  ) {
    return BigInt(value);
  }
  return value;
}

/** Go's `%q` / `%v` as field.Error prints a bad value. */
function showValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function errorBody(rule: CelRule, value: unknown, detail: string): string {
  const scalar = !isObject(value) && !Array.isArray(value);
  switch (rule.reason) {
    case 'FieldValueForbidden':
      return `Forbidden: ${detail}`;
    case 'FieldValueRequired':
      return `Required value: ${detail}`;
    case 'FieldValueDuplicate':
      return `Duplicate value: ${
        scalar ? showValue(value) : '<object>'
      }: ${detail}`;
    default:
      return scalar
        ? `Invalid value: ${showValue(value)}: ${detail}`
        : `Invalid value: ${detail}`;
  }
}

/** `.spec.x`, `.items['a.b']`, `.list` -> path segments. */
function fieldPathSegments(fieldPath: string): string[] {
  const re = /\.([A-Za-z_$][\w$-]*)|\[['"]([^'"]*)['"]\]|\[(\d+)\]/g;
  return [...fieldPath.matchAll(re)].map(m => m[1] ?? m[2] ?? m[3]);
}

function failureDetail(rule: CelRule, self: unknown): string {
  if (rule.messageProgram) {
    const m = rule.messageProgram({ self });
    if (typeof m === 'string' && m.trim() !== '') return m;
  }
  return rule.message ?? `failed rule: ${rule.rule.trim()}`;
}

function runRules(
  node: CelSchemaNode,
  value: unknown,
  path: string[],
  errors: CelRuleError[],
) {
  let self: unknown;
  for (const rule of node.rules) {
    if (!rule.program) continue;
    self ??= toCel(node, value);
    const result = rule.program({ self });
    if (result === true) continue;
    const at = rule.fieldPath
      ? [...path, ...fieldPathSegments(rule.fieldPath)]
      : path;
    let detail: string;
    if (isCelError(result))
      detail = `${result.message} evaluating rule: ${rule.rule}`;
    else if (result === false) detail = failureDetail(rule, self);
    else
      detail = `rule did not evaluate to a bool (got ${String(result)}): ${
        rule.rule
      }`;
    errors.push({
      path: formatPath(at),
      message: errorBody(rule, value, detail),
      rule: rule.rule,
    });
  }
}

/** Evaluate every rule of `node`'s subtree against `value`; errors in document order. */
export function evaluateCelRules(
  node: CelSchemaNode,
  value: unknown,
  path: string[] = [],
  errors: CelRuleError[] = [],
): CelRuleError[] {
  if (!node.hasRules || value === null || value === undefined) return errors;
  runRules(node, value, path, errors);
  if (Array.isArray(value) && node.items) {
    value.forEach((v, i) =>
      evaluateCelRules(node.items!, v, [...path, String(i)], errors),
    );
  } else if (isObject(value)) {
    for (const [key, v] of Object.entries(value)) {
      const child = node.properties[key] ?? node.additionalProperties;
      if (child) evaluateCelRules(child, v, [...path, key], errors);
    }
  }
  return errors;
}
