import type {
  DiscoveryService,
  RootInstanceMetadataService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';

/**
 * The catalog and scaffolder modules read capa-portal's backend plugin over HTTP. Installed without it, they
 * would start and then fail on every call (the catalog provider every 30 seconds, the actions when a template
 * runs); this refuses the start instead, naming the package to add. The backend plugin may run on another
 * backend instance (split deployment: `discovery.endpoints` points `capa` elsewhere): then it is not required
 * here.
 *
 * @public
 */
export async function checkCapaBackendInstalled(options: {
  /** The module's own plugin id (`catalog`, `scaffolder`), to compare where discovery sends each. */
  pluginId: string;
  /** The module's package, named in the error. */
  packageName: string;
  instanceMetadata: RootInstanceMetadataService;
  discovery: DiscoveryService;
}): Promise<void> {
  const { pluginId, packageName, instanceMetadata, discovery } = options;
  const installed = await instanceMetadata.getInstalledPlugins();
  if (installed.some(p => p.pluginId === 'capa')) return;
  const [capaUrl, ownUrl] = await Promise.all([
    discovery.getBaseUrl('capa'),
    discovery.getBaseUrl(pluginId),
  ]);
  if (new URL(capaUrl).origin !== new URL(ownUrl).origin) return;
  throw new InputError(
    `${packageName} needs capa-portal's backend plugin, which this backend does not run: add ` +
      `@capa-portal/plugin-capa-backend to the backend's dependencies and ` +
      `backend.add(import('@capa-portal/plugin-capa-backend')), or point discovery.endpoints for 'capa' at ` +
      `the backend that runs it`,
  );
}
