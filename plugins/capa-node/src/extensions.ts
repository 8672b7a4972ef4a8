/*
 * Extension points of the capa backend plugin, in the -node package so modules can use them without importing
 * capa-backend (as kubernetes-node does for the kubernetes backend).
 */
import type {
  LoggerService,
  UrlReaderService,
} from '@backstage/backend-plugin-api';
import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type { ManagementClusterSource } from './sources/types';

/**
 * What a fleet source factory is given for one management cluster.
 *
 * @public
 */
export interface CapaFleetSourceFactoryOptions {
  /** The management cluster's name (the source's `name` must be this). */
  name: string;
  /** The management cluster's `source:` block, `type` included. */
  config: Config;
  /** The folder relative paths of the fleet configuration resolve from. */
  baseDir: string;
  logger: LoggerService;
  urlReader: UrlReaderService;
}

/**
 * Makes the source of a management cluster whose configuration names `source: { type: <type>, ... }`: a team's
 * own reader of an Argo CD application, a Flux kustomization, a database, ... The source returns every object
 * of the management cluster or throws (see `ManagementClusterSource`), so a failing read keeps the last good data.
 *
 * @public
 */
export interface CapaFleetSourceFactory {
  /** The `source.type` this factory serves, e.g. `argocd`. `manifests` and `kubernetes` are built in. */
  type: string;
  create(options: CapaFleetSourceFactoryOptions): ManagementClusterSource;
}

/** @public */
export interface CapaFleetSourcesExtensionPoint {
  /** Adds a factory for management clusters configured with `source: { type: factory.type }`. */
  addSourceFactory(factory: CapaFleetSourceFactory): void;
}

/**
 * Lets a module of the capa backend plugin (`createBackendModule({ pluginId: 'capa', ... })`) add fleet sources
 * of its own without forking.
 *
 * @public
 */
export const capaFleetSourcesExtensionPoint =
  createExtensionPoint<CapaFleetSourcesExtensionPoint>({
    id: 'capa.fleet-sources',
  });
