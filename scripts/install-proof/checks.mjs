// What the install proof asks the throwaway app's running backend. Expected values come from what was packed
// (the migrations folder, the demo fleet's fleet.yaml, the templates' names) and from the documented contracts
// (the five scaffolder actions of the scaffolder module's README, the two MCP actions of capa-backend).
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

export const CAPA_ACTIONS = [
  'capa:account:bootstrap',
  'capa:cluster:apply',
  'capa:cluster:render',
  'capa:identity:resolve',
  'capa:trust:verify',
];
export const CAPA_TOOLS = ['get-aws-account-trust', 'list-capa-clusters'];

export function client(baseUrl) {
  let token;
  const request = async (path, init = {}) => {
    token ??= await guestToken();
    return fetch(`${baseUrl}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${token}`, ...init.headers },
      signal: AbortSignal.timeout(30_000),
    });
  };
  async function guestToken() {
    const r = await fetch(`${baseUrl}/api/auth/guest/refresh`, {
      headers: { 'X-Requested-With': 'XMLHttpRequest' },
    });
    if (!r.ok) throw new Error(`guest sign-in: HTTP ${r.status}`);
    return (await r.json()).backstageIdentity.token;
  }
  const getJson = async path => {
    const r = await request(path);
    if (!r.ok) throw new Error(`GET ${path}: HTTP ${r.status}`);
    return r.json();
  };
  return { request, getJson };
}

export async function waitFor(what, seconds, probe) {
  const deadline = Date.now() + seconds * 1000;
  let last;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch (e) {
      last = e;
    }
    await sleep(1_000);
  }
  throw new Error(
    `${what}: not within ${seconds}s${last ? ` (${last.message})` : ''}`,
  );
}

/** Every migration the installed package ships is recorded as run, and the plugin's database has its tables. */
export function checkMigrations({ appDir, dbDir }) {
  const migrations = readdirSync(
    join(appDir, 'node_modules/@capa-portal/plugin-capa-backend/migrations'),
  ).sort();
  const file = readdirSync(dbDir).find(f => /capa/.test(f));
  if (!file) throw new Error(`no capa database in ${dbDir}`);
  const Database = createRequire(join(appDir, 'packages/backend/index.js'))(
    'better-sqlite3',
  );
  const db = new Database(join(dbDir, file), { readonly: true });
  try {
    const ran = db
      .prepare('select name from knex_migrations order by name')
      .all()
      .map(r => r.name);
    const tables = db
      .prepare(
        "select name from sqlite_master where type = 'table' and name like 'capa_%'",
      )
      .all()
      .map(r => r.name);
    if (JSON.stringify(ran) !== JSON.stringify(migrations))
      throw new Error(
        `migrations run ${ran.join(', ')}; shipped ${migrations.join(', ')}`,
      );
    if (tables.length === 0) throw new Error('no capa_* table');
    return `${ran.length} migration(s) run, tables ${tables.join(', ')}`;
  } finally {
    db.close();
  }
}

export async function checkAccounts(api, fleetFile) {
  const wanted = [
    ...readFileSync(fleetFile, 'utf8').matchAll(
      /^\s*- accountId: '(\d{12})'/gm,
    ),
  ].map(m => m[1]);
  await waitFor('capa read every management cluster', 120, async () => {
    const { items } = await api.getJson('/api/capa/management-clusters');
    return items.length > 0 && items.every(m => m.lastSync || m.lastAttempt);
  });
  const { items } = await api.getJson('/api/capa/accounts');
  const ids = new Set(items.map(a => a.accountId));
  const missing = wanted.filter(id => !ids.has(id));
  if (missing.length) throw new Error(`accounts missing: ${missing}`);
  return `${items.length} accounts, the ${wanted.length} of fleet.yaml included`;
}

export async function checkCatalog(api, { entities, templates }) {
  const refs = [
    ...entities.map(n => `resource/default/${n}`),
    ...templates.map(n => `template/default/${n}`),
  ];
  await waitFor(
    'catalog holds the capa entities and templates',
    180,
    async () => {
      for (const ref of refs) {
        const r = await api.request(`/api/catalog/entities/by-name/${ref}`);
        if (!r.ok) throw new Error(`${ref}: HTTP ${r.status}`);
      }
      return true;
    },
  );
  return refs.join(', ');
}

export async function checkScaffolderActions(api) {
  const actions = await api.getJson('/api/scaffolder/v2/actions');
  // The scaffolder also lists the actions registry's capa actions (the MCP ones) as capa:<name>.
  const ids = actions.map(a => a.id).filter(id => id.startsWith('capa:'));
  const missing = CAPA_ACTIONS.filter(id => !ids.includes(id));
  if (missing.length)
    throw new Error(
      `missing ${missing}; capa actions listed: ${ids.join(', ') || 'none'}`,
    );
  return ids.sort().join(', ');
}

/** One JSON-RPC request to the MCP server (streamable HTTP: the answer may come as one server-sent event). */
async function mcp(api, method, params) {
  const r = await api.request('/api/mcp-actions/v1', {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`MCP ${method}: HTTP ${r.status} ${text}`);
  const data = text.includes('data:')
    ? text
        .split('\n')
        .filter(l => l.startsWith('data:'))
        .map(l => l.slice(5))
        .join('')
    : text;
  const message = JSON.parse(data);
  if (message.error)
    throw new Error(`MCP ${method}: ${JSON.stringify(message.error)}`);
  return message.result;
}

export async function checkMcp(api, accountId) {
  const { tools } = await mcp(api, 'tools/list', {});
  const names = tools.map(t => t.name);
  const capa = CAPA_TOOLS.map(t => names.find(n => n.endsWith(t)));
  if (capa.some(n => !n))
    throw new Error(`tools/list: ${names.join(', ')} (no ${CAPA_TOOLS})`);
  const result = await mcp(api, 'tools/call', {
    name: capa[0],
    arguments: { accountId },
  });
  const report = JSON.parse(result.content?.[0]?.text ?? '{}');
  if (result.isError || report.accountId !== accountId || !report.verdict)
    throw new Error(`tools/call ${capa[0]}: ${JSON.stringify(result)}`);
  return `${tools.length} tools (${capa.join(', ')}); ${
    capa[0]
  } ${accountId}: ${report.verdict}, ${report.checks.length} checks`;
}
