/**
 * capa-portal's backend plugin: management-cluster sources on the scheduler, trust reports from the engine, and
 * the REST API under /api/capa.
 *
 * @packageDocumentation
 */
export { capaPlugin as default } from './plugin';
export {
  capaConditions,
  createCapaConditionalDecision,
  capaPermissionResourceRef,
  capaPermissionRules,
} from './permissions/rules';
export type { CapaResourcePredicate } from './permissions/rules';
