/*
 * The capa-portal backend: a stock Backstage backend (new backend system) with capa-portal's plugin and
 * modules installed. SQLite in memory by default; PostgreSQL with app-config.production.yaml.
 */
import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

// auth: guest sign-in for local use (see app-config.yaml auth.providers)
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

// catalog, with the scaffolder's entity model and the catalog error log
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

// scaffolder, with GitHub publishing for GitOps pull requests
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-github'));

// permissions: the demo's policy (./permissionPolicy.ts): the platform team sees and does everything, other
// teams only what their groups own. Copy it, or install your own policy module instead.
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('./permissionPolicy'));

// search: the in-memory engine by default, PostgreSQL when the database is PostgreSQL
backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-pg'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));

// kubernetes: workload clusters located through the catalog
backend.add(import('@backstage/plugin-kubernetes-backend'));

backend.add(import('@backstage/plugin-user-settings-backend'));

// events: the shared event bus (capa announces report changes on it, signals travel on it); notifications with
// signals, for capa's alerts on trust regressions (see the README, "Alerts") and the app's inbox
backend.add(import('@backstage/plugin-events-backend'));
backend.add(import('@backstage/plugin-signals-backend'));
backend.add(import('@backstage/plugin-notifications-backend'));

// capa-portal: the trust API, the catalog entity provider and the scaffolder actions
backend.add(import('@capa-portal/plugin-capa-backend'));
backend.add(import('@capa-portal/plugin-catalog-backend-module-capa'));
backend.add(import('@capa-portal/plugin-scaffolder-backend-module-capa'));

// MCP: exposes actions (including capa-portal's) to AI agents
backend.add(import('@backstage/plugin-mcp-actions-backend'));

backend.start();
