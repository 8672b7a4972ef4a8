// The install proof's throwaway Backstage app, written outside the workspace the way an adopter's app looks
// (create-app's layout: a root with packages/app and packages/backend). Backstage's packages come from the
// registry at the versions our yarn.lock holds (the lock is copied in, so Yarn keeps them); ours come only
// from the packed tarballs (`resolutions`, so a dependency between our packages never reaches the registry).
import {
  cpSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

const json = value => `${JSON.stringify(value, null, 2)}\n`;

function depsOf(root, workspace, names) {
  const pkg = JSON.parse(
    readFileSync(join(root, workspace, 'package.json'), 'utf8'),
  );
  const all = { ...pkg.dependencies, ...pkg.devDependencies };
  return Object.fromEntries(
    names.map(n => {
      if (!all[n]) throw new Error(`${workspace}/package.json names no ${n}`);
      return [n, all[n]];
    }),
  );
}

const BACKEND_PACKAGES = [
  '@backstage/backend-defaults',
  '@backstage/plugin-auth-backend',
  '@backstage/plugin-auth-backend-module-guest-provider',
  '@backstage/plugin-catalog-backend',
  '@backstage/plugin-catalog-backend-module-scaffolder-entity-model',
  '@backstage/plugin-scaffolder-backend',
  '@backstage/plugin-permission-backend',
  '@backstage/plugin-mcp-actions-backend',
  'better-sqlite3',
];
/**
 * An adopter's app starts with the allow-all policy (create-app's default). The demo backend installs a real
 * policy instead, so the version comes from the root package.json, which keeps it in yarn.lock for this app.
 */
const ADOPTER_ONLY_PACKAGES = [
  '@backstage/plugin-permission-backend-module-allow-all-policy',
];
const OUR_BACKEND_PACKAGES = [
  '@capa-portal/plugin-capa-backend',
  '@capa-portal/plugin-catalog-backend-module-capa',
  '@capa-portal/plugin-scaffolder-backend-module-capa',
];

export const BACKEND_INDEX = `// A stock new-system backend, as an adopter writes it, plus capa-portal's three backend packages.
const { createBackend } = require('@backstage/backend-defaults');

const backend = createBackend();
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'));
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('@backstage/plugin-permission-backend-module-allow-all-policy'));
backend.add(import('@backstage/plugin-mcp-actions-backend'));
${OUR_BACKEND_PACKAGES.map(p => `backend.add(import('${p}'));`).join('\n')}
backend.start();
`;

const APP_INDEX = `import ReactDOM from 'react-dom/client';
import { createApp } from '@backstage/frontend-defaults';

// No plugin is imported: app.packages: all makes the CLI discover @capa-portal/plugin-capa in package.json.
const app = createApp();
ReactDOM.createRoot(document.getElementById('root')!).render(app.createRoot());
`;

/** The templates, offered straight from the installed scaffolder module (no copies). */
export const TEMPLATE_DIR =
  '../../node_modules/@capa-portal/plugin-scaffolder-backend-module-capa/templates';

function appConfig({ port, dbDir }) {
  return `app:
  baseUrl: http://127.0.0.1:${port}
  packages: all
backend:
  baseUrl: http://127.0.0.1:${port}
  listen: { host: 127.0.0.1, port: ${port} }
  database:
    client: better-sqlite3
    connection: { directory: ${dbDir} }
  actions:
    pluginSources: [catalog, scaffolder, capa]
auth:
  providers:
    guest: { dangerouslyAllowOutsideDevelopment: true }
permission:
  enabled: true
catalog:
  rules:
    - allow: [Component, System, API, Resource, Location, Domain, Group, User, Template]
  locations:
    - { type: file, target: ../../demo-fleet/org.yaml }
    - { type: file, target: ${TEMPLATE_DIR}/create-workload-cluster/template.yaml }
    - { type: file, target: ${TEMPLATE_DIR}/onboard-aws-account/template.yaml }
capa:
  fleetFile: ../../demo-fleet/fleet.yaml
`;
}

/** Hard links of the workspace's Yarn cache: a cold CI run downloads nothing the workspace already has. */
function seedCache(root, cacheDir) {
  mkdirSync(cacheDir, { recursive: true });
  const source = join(root, '.yarn', 'cache');
  if (!existsSync(source)) return;
  for (const file of readdirSync(source)) {
    const target = join(cacheDir, file);
    if (existsSync(target)) continue;
    try {
      linkSync(join(source, file), target);
    } catch {
      cpSync(join(source, file), target);
    }
  }
}

export function writeApp({ root, dir, tarballs, port, cacheDir }) {
  const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const ours = Object.fromEntries(
    Object.entries(tarballs).map(([name, file]) => [name, `file:${file}`]),
  );
  seedCache(root, cacheDir);
  mkdirSync(join(dir, '.yarn', 'releases'), { recursive: true });
  const yarnRelease = rootPkg.packageManager.replace('@', '-') + '.cjs';
  cpSync(
    join(root, '.yarn', 'releases', yarnRelease),
    join(dir, '.yarn', 'releases', yarnRelease),
  );
  writeFileSync(
    join(dir, '.yarnrc.yml'),
    [
      'nodeLinker: node-modules',
      `yarnPath: .yarn/releases/${yarnRelease}`,
      'enableGlobalCache: false',
      `cacheFolder: ${cacheDir}`,
      'enableTelemetry: false',
      '',
    ].join('\n'),
  );
  cpSync(join(root, 'yarn.lock'), join(dir, 'yarn.lock'));
  writeFileSync(
    join(dir, 'package.json'),
    json({
      name: 'capa-install-proof',
      private: true,
      workspaces: ['packages/*'],
      engines: rootPkg.engines,
      packageManager: rootPkg.packageManager,
      devDependencies: {
        '@backstage/cli': rootPkg.devDependencies['@backstage/cli'],
        '@capa-portal/doctor': ours['@capa-portal/doctor'],
      },
      resolutions: { ...rootPkg.resolutions, ...ours },
      // Install scripts nothing here needs: keytar cannot build here (no libsecret) and is optional; core-js
      // only prints a banner.
      dependenciesMeta: {
        keytar: { built: false },
        'core-js': { built: false },
        'core-js-pure': { built: false },
      },
    }),
  );
  writeFileSync(
    join(dir, 'app-config.yaml'),
    appConfig({ port, dbDir: join(dir, 'db') }),
  );
  cpSync(join(root, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  cpSync(join(root, 'examples', 'demo-fleet'), join(dir, 'demo-fleet'), {
    recursive: true,
  });

  const backend = join(dir, 'packages', 'backend');
  mkdirSync(backend, { recursive: true });
  writeFileSync(
    join(backend, 'package.json'),
    json({
      name: 'backend',
      version: '0.0.0',
      private: true,
      backstage: { role: 'backend' },
      dependencies: {
        ...depsOf(root, 'packages/backend', BACKEND_PACKAGES),
        ...depsOf(root, '.', ADOPTER_ONLY_PACKAGES),
        ...Object.fromEntries(OUR_BACKEND_PACKAGES.map(n => [n, ours[n]])),
      },
    }),
  );
  writeFileSync(join(backend, 'index.js'), BACKEND_INDEX);
  writeFileSync(
    join(backend, 'index-without-capa-backend.js'),
    BACKEND_INDEX.replace(
      "backend.add(import('@capa-portal/plugin-capa-backend'));\n",
      '',
    ),
  );

  const app = join(dir, 'packages', 'app');
  mkdirSync(join(app, 'src'), { recursive: true });
  cpSync(join(root, 'packages', 'app', 'public'), join(app, 'public'), {
    recursive: true,
  });
  writeFileSync(
    join(app, 'package.json'),
    json({
      name: 'app',
      version: '0.0.0',
      private: true,
      bundled: true,
      backstage: { role: 'frontend' },
      scripts: { build: 'backstage-cli package build' },
      dependencies: {
        ...depsOf(root, 'packages/app', [
          '@backstage/cli',
          '@backstage/frontend-defaults',
          'react',
          'react-dom',
          'react-router',
          'react-router-dom',
        ]),
        '@capa-portal/plugin-capa': ours['@capa-portal/plugin-capa'],
      },
      browserslist: ['last 1 chrome version'],
    }),
  );
  writeFileSync(join(app, 'src', 'index.tsx'), APP_INDEX);
}
