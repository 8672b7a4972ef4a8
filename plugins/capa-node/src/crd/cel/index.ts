export { compileCelRules } from './compileCelRules';
export type {
  CelSchemaNode,
  CompiledCelRules,
  SkippedCelRule,
} from './compileCelRules';
export { evaluateCelRules } from './evaluateCelRules';
export type { CelRuleError } from './evaluateCelRules';
