/**
 * Scaffolder actions for Cluster API Provider AWS: resolve the identity a new workload cluster should use,
 * render validated CAPA / CAPI v1beta2 manifests, apply them to a live management cluster with dry run and
 * rollback, generate the IAM and identity a new AWS account needs, and verify trust.
 *
 * @packageDocumentation
 */

export { scaffolderModuleCapa as default } from './module';
export * from './actions';
export type { CapaFleetApi } from './lib/fleet';
export type { NamingConvention } from './lib/names';
export type { Partition } from './lib/validation';
