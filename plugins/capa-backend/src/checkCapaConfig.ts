/*
 * Backstage does not validate app-config against the packages' config schemas when the backend starts (the
 * secrets enumerator of @backstage/backend-defaults processes them with `ignoreSchemaErrors: true`; only
 * `backstage-cli config:check --strict` refuses undeclared keys). A misspelt key under `capa:` (`refersh:`)
 * would then be silently ignored and its default used. This check runs Backstage's own schema machinery
 * (@backstage/config-loader, `noUndeclaredProperties`, the same option as `config:check --strict`) over the
 * `capa` block only, against the schemas capa-portal's installed packages declare (config.d.ts, packed as
 * config.schema.json), so one declaration stays the single source of truth.
 *
 * Installed from the registry, the schemas are JSON and the check costs milliseconds. Run from this repository's
 * sources they are still config.d.ts, which Backstage compiles with TypeScript (seconds, at every start of every
 * test backend): there the check is skipped unless asked for (`typescriptSchemas`); `./portal test:install`
 * checks the packed form.
 */
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { loadConfigSchema } from '@backstage/config-loader';
import { InputError } from '@backstage/errors';
import { readFileSync } from 'fs';

/** The packages that declare keys under `capa:`; those not installed are skipped. */
export const CAPA_CONFIG_PACKAGES = [
  '@capa-portal/plugin-capa-node',
  '@capa-portal/plugin-capa-backend',
  '@capa-portal/plugin-catalog-backend-module-capa',
  '@capa-portal/plugin-scaffolder-backend-module-capa',
];

/** Found from the backend's working directory (hoisted) or from this package (nested installs). */
function installedPackageJsons(): string[] {
  return CAPA_CONFIG_PACKAGES.flatMap(name => {
    try {
      return [
        require.resolve(`${name}/package.json`, {
          paths: [
            process.cwd(),
            resolvePackagePath('@capa-portal/plugin-capa-backend'),
          ],
        }),
      ];
    } catch {
      return [];
    }
  });
}

const declaresTypeScriptSchema = (packageJson: string) =>
  /\.d\.ts$/.test(
    JSON.parse(readFileSync(packageJson, 'utf8')).configSchema ?? '',
  );

const schemaLoads = new Map<boolean, ReturnType<typeof loadConfigSchema>>();

function loadCapaSchema(typescriptSchemas: boolean) {
  const packagePaths = installedPackageJsons();
  if (!typescriptSchemas && packagePaths.some(declaresTypeScriptSchema))
    return undefined;
  if (!schemaLoads.has(typescriptSchemas))
    schemaLoads.set(
      typescriptSchemas,
      loadConfigSchema({
        dependencies: [],
        packagePaths,
        excludePackageDependencies: true,
        noUndeclaredProperties: true,
      }),
    );
  return schemaLoads.get(typescriptSchemas);
}

/** `/capa/managementClusters/0` + `bogus` → `capa.managementClusters[0].bogus`. */
function keyPath(instancePath: string, key?: string): string {
  const parts = instancePath.split('/').filter(Boolean);
  if (key) parts.push(key);
  return parts
    .map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : `${i ? '.' : ''}${p}`))
    .join('');
}

/** One line per problem: unknown keys named by their full path, other schema errors as Backstage words them. */
export function describeSchemaErrors(messages: string[]): string[] {
  return messages.map(m => {
    const unknown = m.match(/additionalProperty=(\S+) \} at (\S*)/);
    if (unknown) return `unknown key ${keyPath(unknown[2], unknown[1])}`;
    const at = m.match(/^Config (.*) \{.*\} at (\S*)$/);
    return at ? `${keyPath(at[2])}: ${at[1]}` : m;
  });
}

/**
 * Refuses a `capa:` block with keys no installed capa-portal package declares, or with values of the wrong
 * type, naming each key.
 */
export async function checkCapaConfig(
  config: Config,
  options: { typescriptSchemas?: boolean } = {},
): Promise<void> {
  const capa = config.getOptional('capa');
  if (capa === undefined) return;
  const schema = await loadCapaSchema(options.typescriptSchemas ?? false);
  if (!schema) return;
  try {
    schema.process([{ data: { capa }, context: 'app-config' }], {
      visibility: ['frontend', 'backend', 'secret'],
    });
  } catch (e) {
    const messages: string[] = (e as { messages?: string[] }).messages ?? [
      (e as Error).message,
    ];
    throw new InputError(
      `app-config: ${describeSchemaErrors(messages).join(
        '; ',
      )} (capa-portal's keys are declared by ${CAPA_CONFIG_PACKAGES.join(
        ', ',
      )})`,
    );
  }
}
