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
export { convertOpenApiSchema } from './schemaConversion';
export type { SkippedCelRule } from './cel';
