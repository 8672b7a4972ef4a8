/*
 * The CEL environment for CRD validation rules (`x-kubernetes-validations`).
 *
 * Library: `@bufbuild/cel` (Buf's CEL for ECMAScript). Chosen over `@marcbachmann/cel-js` and `cel-js` because
 * - it runs `matches()` with an RE2 engine (`@bufbuild/re2`), the regex dialect cel-go (and so kube-apiserver)
 *   uses; JavaScript's RegExp accepts and rejects different patterns;
 * - it is tested against the cel-spec conformance suite (`@bufbuild/cel-spec`) and maintained by Buf;
 * - it ships CommonJS and ESM builds (the other two are ESM-only or unmaintained: `cel-js` 0.8 points its
 *   users to `@marcbachmann/cel-js`), so it loads in the backend's CommonJS build and in jest as is;
 * - it parses to the cel-spec AST, so a rule's functions and variables can be listed before it runs.
 *
 * The rules in the vendored CRDs use only standard CEL: `self`, `has()`, `size()`, `in`, `startsWith`,
 * `matches`, the `all` / `exists_one` / `filter` macros and list literals. kube-apiserver also binds its
 * extension libraries (k8s.io/apiserver/pkg/cel/library: `isURL`/`url()`, `quantity()`, `isSorted`/`sum`/...,
 * `find`/`findAll`, `ip()`/`cidr()`, `format`, `semver`, the cel-go `strings` extension). Of those, the
 * `strings` extension is bound here; a rule calling anything else is skipped with the reason recorded, never
 * guessed at.
 */
import { celEnv, parse, type CelEnv } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';

/** A parsed expression (cel-spec's `Expr`). */
export type CelExpr = ReturnType<typeof parse>['expr'];

/** Operators the evaluator implements as special forms (not in its function table). */
const SPECIAL_FORMS = new Set(['_&&_', '_||_', '_?_:_', '@not_strictly_false']);

let sharedEnv: CelEnv | undefined;

/** One environment for every rule (it holds no per-object state). */
export function celEnvironment(): CelEnv {
  sharedEnv ??= celEnv({ funcs: strings });
  return sharedEnv;
}

/** What a rule's expression refers to, read from its AST. */
export interface ExprReferences {
  functions: Set<string>;
  identifiers: Set<string>;
}

export function exprReferences(expr: CelExpr): ExprReferences {
  const refs: ExprReferences = { functions: new Set(), identifiers: new Set() };
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    const kind = (node as { exprKind?: { case?: string; value?: any } })
      .exprKind;
    if (kind?.case === 'callExpr') refs.functions.add(kind.value.function);
    if (kind?.case === 'identExpr') refs.identifiers.add(kind.value.name);
    for (const value of Object.values(node)) visit(value);
  };
  visit(expr);
  return refs;
}

/** Functions a parsed rule calls that this environment does not bind. */
export function unboundFunctions(env: CelEnv, refs: ExprReferences): string[] {
  return [...refs.functions]
    .filter(f => !SPECIAL_FORMS.has(f) && !env.funcs.find(f))
    .sort();
}

export { parse as parseCel };
