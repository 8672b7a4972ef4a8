/**
 * Node library of capa-portal: management-cluster sources, AWS evidence adapters, manifest readers,
 * extension points and the doctor CLI.
 *
 * @packageDocumentation
 */

export * from './aws';
export * from './manifests';
export * from './crd';
export * from './fleet';
export * from './doctor';
export * from './kubernetes';
export * from './sources';
export * from './client';
export * from './services';
export * from './extensions';
