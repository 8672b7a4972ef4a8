/**
 * Node library of capa-portal: management-cluster sources, AWS evidence adapters, manifest readers,
 * extension points and the fleet.yaml loader the doctor CLI (`@capa-portal/doctor`) uses.
 *
 * @packageDocumentation
 */

export * from './aws';
export * from './manifests';
export * from './crd';
export * from './fleet';
export * from './kubernetes';
export * from './sources';
export * from './client';
export * from './services';
export * from './extensions';
