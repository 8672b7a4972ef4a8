// The public surface of CRD validation (the package index re-exports all of it).
export { CrdSchemaRegistry } from './CrdSchemaRegistry';
export type {
  CrdInfo,
  CrdScope,
  CrdValidateOptions,
  CrdValidationError,
  CrdValidationReason,
  CrdValidationResult,
  CrdVersionInfo,
} from './CrdSchemaRegistry';
export type { SkippedCelRule } from './cel';
