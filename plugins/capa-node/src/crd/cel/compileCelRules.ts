/*
 * Compiles the `x-kubernetes-validations` rules of one CRD version's `openAPIV3Schema` into a tree that mirrors
 * the schema: each node keeps its type (so values reach CEL typed as the API server types them: `integer`
 * fields as CEL `int`, `number` as `double`) and its compiled rules. Rules the API server would not run on a
 * create, or that call functions not bound here, are kept as skipped with the reason (see celEnvironment.ts).
 */
import { plan, type CelResult } from '@bufbuild/cel';
import {
  celEnvironment,
  exprReferences,
  parseCel,
  unboundFunctions,
} from './celEnvironment';

type Program = (bindings: { self: unknown }) => CelResult;

export interface CelRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  /** JSONPath relative to the rule's node (`.spec.x`, `.items['a']`): where the API server reports the error. */
  fieldPath?: string;
  /** `FieldValueInvalid` (default), `FieldValueForbidden`, `FieldValueRequired`, `FieldValueDuplicate`. */
  reason?: string;
  program?: Program;
  messageProgram?: Program;
  /** Why the rule is not evaluated (absent: it is). */
  skipped?: string;
}

export interface CelSchemaNode {
  type?: string;
  intOrString: boolean;
  rules: CelRule[];
  properties: Record<string, CelSchemaNode>;
  items?: CelSchemaNode;
  additionalProperties?: CelSchemaNode;
  /** True when this node or one below it has a rule to evaluate. */
  hasRules: boolean;
}

/** @public */
export interface SkippedCelRule {
  /** Schema location, e.g. `spec.network.vpc.carrierGatewayId` or `spec.items[*]`. */
  path: string;
  rule: string;
  reason: string;
}

export interface CompiledCelRules {
  root: CelSchemaNode;
  evaluated: number;
  skipped: SkippedCelRule[];
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function compileExpression(
  source: string,
): { program: Program } | { error: string } {
  const env = celEnvironment();
  let parsed: ReturnType<typeof parseCel>;
  try {
    parsed = parseCel(source);
  } catch (e) {
    return { error: `does not parse: ${(e as Error).message}` };
  }
  const refs = exprReferences(parsed.expr);
  // Transition rules compare with the stored object; on a create there is none, and the API server does not
  // run them (k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel: rules referencing oldSelf are skipped
  // when oldSelf is absent, unless optionalOldSelf is set).
  if (refs.identifiers.has('oldSelf')) {
    return {
      error:
        'transition rule (references oldSelf): the API server evaluates it only on update',
    };
  }
  const unbound = unboundFunctions(env, refs);
  if (unbound.length > 0) {
    return {
      error: `calls ${unbound.join(
        ', ',
      )}, a Kubernetes CEL extension capa-portal does not implement`,
    };
  }
  return { program: plan(env, parsed) as unknown as Program };
}

function compileRule(raw: unknown): CelRule {
  const r = isObject(raw) ? raw : {};
  const rule: CelRule = {
    rule: String(r.rule ?? ''),
    message: typeof r.message === 'string' ? r.message : undefined,
    messageExpression:
      typeof r.messageExpression === 'string' ? r.messageExpression : undefined,
    fieldPath: typeof r.fieldPath === 'string' ? r.fieldPath : undefined,
    reason: typeof r.reason === 'string' ? r.reason : undefined,
  };
  if (r.optionalOldSelf === true) {
    rule.skipped = 'optionalOldSelf transition rule: evaluated only on update';
    return rule;
  }
  const compiled = compileExpression(rule.rule);
  if ('error' in compiled) rule.skipped = compiled.error;
  else rule.program = compiled.program;
  if (rule.messageExpression && !rule.skipped) {
    // A messageExpression that cannot run falls back to `message`, as the API server's does on error.
    const message = compileExpression(rule.messageExpression);
    if ('program' in message) rule.messageProgram = message.program;
  }
  return rule;
}

function childPath(path: string, segment: string): string {
  return path
    ? `${path}${segment.startsWith('[') ? '' : '.'}${segment}`
    : segment;
}

/** Compile every rule of a CRD version's openAPIV3Schema. */
export function compileCelRules(openApiSchema: unknown): CompiledCelRules {
  const skipped: SkippedCelRule[] = [];
  let evaluated = 0;
  const walk = (schema: unknown, path: string): CelSchemaNode => {
    const s = isObject(schema) ? schema : {};
    const node: CelSchemaNode = {
      type: typeof s.type === 'string' ? s.type : undefined,
      intOrString: s['x-kubernetes-int-or-string'] === true,
      rules: [],
      properties: {},
      hasRules: false,
    };
    const rawRules = s['x-kubernetes-validations'];
    for (const raw of Array.isArray(rawRules) ? rawRules : []) {
      const rule = compileRule(raw);
      node.rules.push(rule);
      if (rule.skipped) {
        skipped.push({
          path: path || '(root)',
          rule: rule.rule,
          reason: rule.skipped,
        });
      } else {
        evaluated++;
        node.hasRules = true;
      }
    }
    if (isObject(s.properties)) {
      for (const [key, child] of Object.entries(s.properties)) {
        node.properties[key] = walk(child, childPath(path, key));
        node.hasRules ||= node.properties[key].hasRules;
      }
    }
    if (isObject(s.items)) {
      node.items = walk(s.items, childPath(path, '[*]'));
      node.hasRules ||= node.items.hasRules;
    }
    if (isObject(s.additionalProperties)) {
      node.additionalProperties = walk(
        s.additionalProperties,
        childPath(path, '[*]'),
      );
      node.hasRules ||= node.additionalProperties.hasRules;
    }
    return node;
  };
  const root = walk(openApiSchema, '');
  return { root, evaluated, skipped };
}
