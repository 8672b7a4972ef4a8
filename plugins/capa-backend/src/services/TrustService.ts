import { createHash } from 'node:crypto';
import { CacheService, LoggerService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  accountOfArn,
  AccountReport,
  capaConditionsForCluster,
  AccountSummary,
  AccountTrustResponse,
  CatalogChainLink,
  CatalogFleetView,
  CatalogViewScope,
  ChainLink,
  Check,
  ClusterReport,
  ClustersQuery,
  ClustersResponse,
  ClusterSummary,
  EvidencePlan,
  evaluateFleetIncrementally,
  FleetEvaluation,
  FleetInput,
  FleetReport,
  IdentityChainResponse,
  IdentityReport,
  LiveEvidence,
  ManagementClusterStatus,
  namespaceReach,
  OnboardingGapAccount,
  onboardingGaps,
  OnboardingGapsQuery,
  OnboardingGapsResponse,
  OrganizationSnapshot,
  planEvidence,
  trustMap,
  TrustMapResponse,
} from '@capa-portal/plugin-capa-common';
import type {
  AwsEvidenceGatherer,
  FleetSources,
} from '@capa-portal/plugin-capa-node';
import { SnapshotStore, SourceSnapshot, SourceStatus } from './SnapshotStore';

/**
 * Narrows a report to what one caller may read (see permissions/filterReport.ts). Every read method takes one;
 * without it the whole report is served (service callers, and users whose policy allows everything).
 */
export type ReportView = (report: FleetReport) => FleetReport;

const LIVE_EVIDENCE_KEY = 'capa:live-evidence:v1';
/**
 * The version of the stored evidence, kept beside it: replicas poll this small value and read the evidence
 * itself (megabytes at fleet scale) only when it changed.
 */
const LIVE_EVIDENCE_VERSION_KEY = 'capa:live-evidence:v1:version';

/** Live evidence as kept in the cache service, shared by every replica. */
interface StoredEvidence {
  version: string;
  evidence: LiveEvidence;
}

interface Computed {
  key: string;
  report: FleetReport;
  statuses: Map<string, SourceStatus>;
  live: boolean;
  /** Per-account index of the report, built on first use (instead of filtering 10,000 clusters per request). */
  byAccount?: Map<string, AccountIndexEntry>;
  /** Namespace labels per management cluster (for `forNamespace`), built on first use. */
  namespaces?: Map<string, Map<string, Record<string, string>>>;
  /**
   * Serialised bodies of this report: `GET /accounts/{id}/trust` by `accountId|stale`, the catalog views by
   * `catalog-view:<scope>|<health>`.
   */
  responses: Map<string, SerializedResponse>;
}

/** The engine's input as last read. */
interface ReadInput {
  key: string;
  input: FleetInput;
  /** Each source's snapshot as read (by generation): an unchanged one is not read again, its objects are kept. */
  sources: Map<string, SourceSnapshot>;
}

interface AccountIndexEntry {
  account: AccountReport;
  clusters: ClusterReport[];
  identities: IdentityReport[];
  /** Management clusters whose staleness makes this account's report stale. */
  involved: string[];
}

/** A response body serialised once, with its entity tag. */
export interface SerializedResponse {
  body: Buffer;
  etag: string;
}

function catalogLink(link: ChainLink): CatalogChainLink {
  return {
    kind: link.kind,
    name: link.name,
    missing: link.missing,
    roleArn: link.roleArn,
    externalId: link.externalId,
  };
}

/** The objects of a source never read (shared, so the engine sees them unchanged from one evaluation to the next). */
const NO_OBJECTS: FleetInput['managementClusters'][number]['objects'] = [];

/** How long the per-source statuses and the live evidence version read from the store / cache are reused. */
const DEFAULT_STATE_TTL_MS = 250;
/** Serialised account responses kept per report (bounded: a report serves at most this many accounts' bodies). */
const MAX_CACHED_RESPONSES = 20_000;

/**
 * Whether an input problem belongs to a management cluster's source: its configuration (`<name>: ...`), or a file
 * its source read (manifest readers name each file by the source's target joined with its path).
 */
function isProblemOfSource(
  problemSource: string,
  name: string,
  target: string,
): boolean {
  return (
    problemSource.startsWith(`${name}:`) ||
    problemSource === target ||
    problemSource.startsWith(`${target.replace(/\/+$/, '')}/`)
  );
}

/**
 * Turns the stored source snapshots and the live evidence into trust reports, and answers the API's questions.
 * The report is recomputed only when a source's generation or the live evidence changes (the engine takes
 * well under a second for 10,000 clusters), so every replica serves the same answer from the same inputs.
 *
 * Per request, the inputs' versions (source statuses from the database, the evidence version from the cache
 * service) are read at most once per `stateTtlMs` (default 250 ms) and shared by concurrent requests; this
 * replica's own writes are seen at once, another replica's within `stateTtlMs`. Account responses are indexed
 * and serialised once per report.
 */
export class TrustService {
  #fleet: FleetSources;
  /** Bumped when the fleet configuration changes, so the next request recomputes. */
  #fleetVersion = 0;
  readonly #store: SnapshotStore;
  readonly #cache: CacheService;
  readonly #gatherer?: AwsEvidenceGatherer;
  readonly #logger: LoggerService;
  readonly #evidenceTtlMs: number;
  readonly #stateTtlMs: number;
  #computed?: Promise<Computed>;
  /** The last read of the statuses and evidence (see `#state`), shared by concurrent requests. */
  #state?: {
    at: number;
    writes: number;
    evidenceWrites: number;
    value: Promise<{
      statusList: SourceStatus[];
      stored: StoredEvidence | undefined;
    }>;
  };
  /** Bumped when this instance stores live evidence: its own writes are seen at once. */
  #evidenceWrites = 0;

  private constructor(options: {
    fleet: FleetSources;
    store: SnapshotStore;
    cache: CacheService;
    gatherer?: AwsEvidenceGatherer;
    logger: LoggerService;
    evidenceTtlMs: number;
    stateTtlMs: number;
  }) {
    this.#fleet = options.fleet;
    this.#store = options.store;
    this.#cache = options.cache;
    this.#gatherer = options.gatherer;
    this.#logger = options.logger;
    this.#evidenceTtlMs = options.evidenceTtlMs;
    this.#stateTtlMs = options.stateTtlMs;
  }

  static create(options: {
    fleet: FleetSources;
    store: SnapshotStore;
    cache: CacheService;
    gatherer?: AwsEvidenceGatherer;
    logger: LoggerService;
    evidenceTtlMs?: number;
    /** How long statuses and the evidence version are reused between requests (default 250 ms; 0: never). */
    stateTtlMs?: number;
  }): TrustService {
    return new TrustService({
      ...options,
      evidenceTtlMs: options.evidenceTtlMs ?? 60 * 60 * 1000,
      stateTtlMs: options.stateTtlMs ?? DEFAULT_STATE_TTL_MS,
    });
  }

  /** Uses a new fleet configuration (after app-config changed): the next request recomputes the report. */
  setFleet(fleet: FleetSources): void {
    this.#fleet = fleet;
    this.#fleetVersion++;
  }

  /** Whether live verification can happen at all (AWS credentials configured). */
  get canVerifyLive(): boolean {
    return this.#gatherer !== undefined;
  }

  /** The current report (its identity changes only when it is recomputed). */
  async report(): Promise<FleetReport> {
    return (await this.#current()).report;
  }

  async managementClusters(
    view?: ReportView,
  ): Promise<ManagementClusterStatus[]> {
    const current = await this.#current();
    const { statuses } = current;
    const report = view ? view(current.report) : current.report;
    const shown = view
      ? this.#fleet.managementClusters.filter(({ cluster }) =>
          report.managementClusters.some(m => m.name === cluster.name),
        )
      : this.#fleet.managementClusters;
    return shown.map(({ cluster, source }) => {
      const status = statuses.get(cluster.name);
      const summary = report.managementClusters.find(
        m => m.name === cluster.name,
      );
      const problemCount = report.problems.filter(p =>
        isProblemOfSource(p.source, cluster.name, source.target),
      ).length;
      return {
        name: cluster.name,
        accountId: cluster.accountId,
        controllerPrincipalArn:
          summary?.controllerPrincipalArn ??
          cluster.controllerPrincipalArn ??
          '',
        clusterCount: summary?.clusterCount ?? 0,
        identityCount: summary?.identityCount ?? 0,
        source: { type: source.type, target: source.target },
        reachable: Boolean(status?.syncedAt) && !status?.error,
        lastSync: status?.syncedAt,
        lastAttempt: status?.attemptedAt,
        stale: Boolean(status?.error),
        error: status?.error,
        objectCount: status?.objectCount ?? 0,
        problemCount,
      };
    });
  }

  /**
   * The accounts with their verdicts (reachability) and counts. With `forNamespace`, each also answers whether a
   * cluster in that namespace (on that management cluster, when given) has an identity that admits it and reaches
   * the account (`namespaceReach`, with the Namespace's labels from the management cluster's objects).
   */
  async accounts(
    view?: ReportView,
    forNamespace?: { namespace: string; managementCluster?: string },
  ): Promise<{ items: AccountSummary[]; generatedAt: string }> {
    const current = await this.#current();
    const report = view ? view(current.report) : current.report;
    const identitiesBy = new Map<string, IdentityReport[]>();
    for (const i of report.identities) {
      if (!i.accountId) continue;
      const list = identitiesBy.get(i.accountId) ?? [];
      list.push(i);
      identitiesBy.set(i.accountId, list);
    }
    const reach = (accountId: string) =>
      forNamespace
        ? {
            forNamespace: namespaceReach(
              accountId,
              identitiesBy.get(accountId) ?? [],
              forNamespace.namespace,
              {
                managementCluster: forNamespace.managementCluster,
                namespaceLabels: mgmt =>
                  this.#namespaceIndex(current)
                    .get(mgmt)
                    ?.get(forNamespace.namespace),
              },
            ),
          }
        : {};
    // An account's failing and warning checks include those of the clusters and identities that target it.
    const targeting = new Map<string, Check[][]>();
    for (const r of [...report.clusters, ...report.identities]) {
      if (!r.accountId) continue;
      const list = targeting.get(r.accountId) ?? [];
      list.push(r.checks);
      targeting.set(r.accountId, list);
    }
    const ids = (lists: Check[][], status: Check['status']) => [
      ...new Set(
        lists.flatMap(list =>
          list.filter(c => c.status === status).map(c => c.id),
        ),
      ),
    ];
    const items = report.accounts.map(
      ({ checks, clusters, identities, clusterProblems, ...account }) => {
        const lists = [checks, ...(targeting.get(account.accountId) ?? [])];
        return {
          ...account,
          clusterCount: clusters.length,
          identityCount: identities.length,
          failing: ids(lists, 'fail'),
          warning: ids(lists, 'warn'),
          ...reach(account.accountId),
        };
      },
    );
    return { items, generatedAt: report.generatedAt };
  }

  async accountTrust(
    accountId: string,
    view?: ReportView,
  ): Promise<AccountTrustResponse> {
    const { report, statuses, live } = await this.#current();
    return this.#accountResponse(
      view ? view(report) : report,
      statuses,
      live,
      accountId,
    );
  }

  /**
   * `accountTrust` serialised: the JSON body and its entity tag, computed once per report and staleness and
   * then served as is (the REST route's hot path).
   */
  async accountTrustSerialized(accountId: string): Promise<SerializedResponse> {
    const current = await this.#current();
    const entry = this.#accountIndex(current).get(accountId);
    if (!entry)
      throw new NotFoundError(`No AWS account ${accountId} in the fleet`);
    const stale = entry.involved.some(name =>
      Boolean(current.statuses.get(name)?.error),
    );
    const key = `${accountId}|${stale}`;
    const cached = current.responses.get(key);
    if (cached) return cached;
    const response: AccountTrustResponse = {
      account: entry.account,
      clusters: entry.clusters,
      identities: entry.identities,
      generatedAt: current.report.generatedAt,
      live: current.live,
      stale,
    };
    const body = Buffer.from(JSON.stringify(response), 'utf8');
    const serialized = {
      body,
      etag: `W/"${body.length.toString(16)}-${createHash('sha1')
        .update(body)
        .digest('base64url')}"`,
    };
    if (current.responses.size >= MAX_CACHED_RESPONSES)
      current.responses.clear();
    current.responses.set(key, serialized);
    return serialized;
  }

  /**
   * Verifies one account live now: reads its target roles, simulates the source permission and assumes every
   * chain that targets it, bypassing cached AWS answers. Without AWS credentials the checks stay on static
   * evidence and the report says so.
   */
  async verifyAccount(
    accountId: string,
    view?: ReportView,
  ): Promise<AccountTrustResponse> {
    const before = await this.#current();
    this.#requireAccount(view ? view(before.report) : before.report, accountId);
    const notices: string[] = [];
    if (this.#gatherer && this.#gatherer.enabled !== false) {
      const plan = filterPlan(planEvidence(await this.#input()), accountId);
      const fresh = await this.#gatherAndStore(plan, true);
      for (const [account, message] of Object.entries(
        fresh.credentialProblems ?? {},
      )) {
        notices.push(
          `AWS refused the credentials configured for account ${account} (${message}): the checks that need them keep their last evidence. Renew the credentials in the aws: block of app-config, or the role the backend runs as.`,
        );
      }
    } else {
      notices.push(
        'Live verification is off (no aws: block in app-config, or capa.liveVerification is false): the checks use static evidence only.',
      );
    }
    const after = await this.#current();
    return {
      ...this.#accountResponse(
        view ? view(after.report) : after.report,
        after.statuses,
        after.live,
        accountId,
      ),
      ...(notices.length ? { notices } : {}),
    };
  }

  /** Verifies the whole fleet (the scheduled verification), using cached AWS answers within their TTL. */
  async verifyAll(): Promise<void> {
    if (!this.#gatherer) return;
    await this.#gatherAndStore(planEvidence(await this.#input()), false);
  }

  async clusters(
    query: ClustersQuery,
    view?: ReportView,
  ): Promise<ClustersResponse> {
    const current = await this.#current();
    const report = view ? view(current.report) : current.report;
    const q = query.q?.trim().toLowerCase();
    const matches = report.clusters.filter(
      c =>
        (!query.managementCluster ||
          c.managementCluster === query.managementCluster) &&
        (!query.accountId || c.accountId === query.accountId) &&
        (!query.namespace || c.namespace === query.namespace) &&
        (!query.verdict || c.verdict === query.verdict) &&
        (!query.phase ||
          (c.phase ?? 'Unknown').toLowerCase() === query.phase.toLowerCase()) &&
        (!q ||
          [
            c.name,
            c.namespace,
            c.managementCluster,
            c.accountId,
            c.region,
            c.owner,
            c.identityRef.name,
          ]
            .filter(Boolean)
            .some(v => v!.toLowerCase().includes(q))),
    );
    const offset = query.offset ?? 0;
    const limit = query.limit ?? 500;
    return {
      items: matches.slice(offset, offset + limit).map(summarizeCluster),
      totalCount: matches.length,
    };
  }

  /** One cluster's report, with CAPA's own conditions beside our verdict (`capaConditions`). */
  async cluster(
    managementCluster: string,
    namespace: string,
    name: string,
    view?: ReportView,
  ): Promise<ClusterReport> {
    const current = await this.#current();
    const { input } = current;
    const report = view ? view(current.report) : current.report;
    const found = report.clusters.find(
      c =>
        c.managementCluster === managementCluster &&
        c.namespace === namespace &&
        c.name === name,
    );
    if (!found) {
      throw new NotFoundError(
        `No workload cluster ${namespace}/${name} in management cluster "${managementCluster}"`,
      );
    }
    const objects =
      input.managementClusters.find(m => m.name === managementCluster)
        ?.objects ?? [];
    const capaConditions = capaConditionsForCluster(
      found,
      objects.map(o => o.object),
    );
    return capaConditions ? { ...found, capaConditions } : found;
  }

  async identityChain(
    managementCluster: string,
    name: string,
    kind?: string,
    view?: ReportView,
  ): Promise<IdentityChainResponse> {
    const current = await this.#current();
    const report = view ? view(current.report) : current.report;
    const found = report.identities.filter(
      i =>
        i.managementCluster === managementCluster &&
        i.name === name &&
        (!kind || i.kind === kind),
    );
    if (found.length === 0) {
      throw new NotFoundError(
        `No identity "${name}" in management cluster "${managementCluster}"`,
      );
    }
    // A role identity and a static identity may share a name; the role identity is the usual question.
    const identity =
      found.find(i => i.kind === 'AWSClusterRoleIdentity') ?? found[0];
    const mgmt = report.managementClusters.find(
      m => m.name === managementCluster,
    );
    return {
      identity,
      chain: identity.chain,
      ...(mgmt
        ? {
            controllerPrincipalArn: mgmt.controllerPrincipalArn,
            controllerAccountId:
              accountOfArn(mgmt.controllerPrincipalArn) ?? mgmt.accountId,
          }
        : {}),
    };
  }

  /**
   * The fleet reconciled with AWS Organizations (live `ListAccounts` when gathered, else the configuration's
   * snapshot file). Which accounts are targeted is decided on the whole report; `view` narrows the identities
   * shown and `mayList` the gap accounts (see permissions/onboardingAccess.ts).
   */
  async onboardingGaps(
    query: OnboardingGapsQuery,
    access: {
      view?: ReportView;
      mayList: (account: OnboardingGapAccount) => boolean;
    },
  ): Promise<OnboardingGapsResponse> {
    const current = await this.#current();
    const live = (await this.#storedEvidence())?.evidence.organizationAccounts;
    const organization: OrganizationSnapshot | undefined = live
      ? { accounts: live, source: 'organizations:ListAccounts' }
      : current.input.organization;
    return onboardingGaps({
      report: current.report,
      visible: access.view ? access.view(current.report) : current.report,
      organization,
      mayList: access.mayList,
      query,
    });
  }

  /** What the fleet trust map draws: management clusters, identities, accounts, with verdicts. */
  async trustMap(view?: ReportView): Promise<TrustMapResponse> {
    const current = await this.#current();
    const report = view ? view(current.report) : current.report;
    const stale = new Set(
      [...current.statuses.values()]
        .filter(s => Boolean(s.error))
        .map(s => s.source),
    );
    return trustMap(report, stale);
  }

  /** The whole report, for the catalog module and the scaffolder (service-to-service). */
  /**
   * The weak ETag of the whole (unfiltered) fleet report: the report's inputs (every source's generation, the
   * live evidence, the configuration) and every source's health (synced or not, its error). Timestamps alone do
   * not change it: a client holding the report with this tag holds an equivalent one.
   */
  async fleetReportTag(): Promise<string> {
    const current = await this.#current();
    const health = this.#fleet.managementClusters
      .map(({ cluster }) => {
        const status = current.statuses.get(cluster.name);
        return `${cluster.name}:${status?.syncedAt ? 'synced' : 'never'}:${
          status?.error ?? ''
        }`;
      })
      .join('\n');
    return `W/"${createHash('sha1')
      .update(`${current.key}\n${health}`)
      .digest('base64url')}"`;
  }

  /**
   * Part of the fleet as capa-portal's catalog module builds its entities from it (a `CatalogFleetView`): the
   * accounts, or one management cluster's source, identities and workload clusters; no checks, evidence or
   * conditions (at 10,000 clusters the whole report is 86 MB, the six views of the bench fleet together 7 MB).
   *
   * Serialised once per report and source health for an unrestricted caller. The weak ETag covers the content and
   * the source's health, not timestamps: a view whose entities would not change keeps its tag when another
   * management cluster changed, so the catalog module's conditional request is answered 304.
   */
  async catalogView(
    scope: CatalogViewScope,
    view?: ReportView,
  ): Promise<SerializedResponse> {
    const current = await this.#current();
    let sources: ManagementClusterStatus[] = [];
    if (scope.type === 'management-cluster') {
      const source = (await this.managementClusters(view)).find(
        s => s.name === scope.name,
      );
      if (!source)
        throw new NotFoundError(`No management cluster ${scope.name}`);
      sources = [source];
    }
    const health = sources
      .map(s => `${s.name}:${s.lastSync ? 'synced' : 'never'}:${s.error ?? ''}`)
      .join();
    const key = `catalog-view:${
      scope.type === 'accounts' ? '' : scope.name
    }|${health}`;
    const cached = view ? undefined : current.responses.get(key);
    if (cached) return cached;

    const report = view ? view(current.report) : current.report;
    const content: Omit<CatalogFleetView, 'generatedAt' | 'sources'> = {
      accounts: [],
      identities: [],
      clusters: [],
    };
    if (scope.type === 'accounts') {
      for (const a of report.accounts)
        content.accounts.push({
          accountId: a.accountId,
          name: a.name,
          tier: a.tier,
          owner: a.owner,
          email: a.email,
          status: a.status,
          verdict: a.verdict,
        });
    } else {
      for (const i of report.identities)
        if (i.managementCluster === scope.name)
          content.identities.push({
            managementCluster: i.managementCluster,
            kind: i.kind,
            name: i.name,
            accountId: i.accountId,
            roleArn: i.roleArn,
            verdict: i.verdict,
            chain: i.chain.map(catalogLink),
          });
      for (const c of report.clusters)
        if (c.managementCluster === scope.name)
          content.clusters.push({
            managementCluster: c.managementCluster,
            namespace: c.namespace,
            name: c.name,
            accountId: c.accountId,
            identityRef: c.identityRef,
            verdict: c.verdict,
            flavour: c.flavour,
            phase: c.phase,
            region: c.region,
            kubernetesVersion: c.kubernetesVersion,
            apiServer: c.apiServer,
            apiServerCaData: c.apiServerCaData,
            eksClusterName: c.eksClusterName,
            owner: c.owner,
            system: c.system,
            chain: c.chain.map(catalogLink),
          });
    }
    // The tag: the content and each source without its timestamps; the body: the same text with them.
    const json = JSON.stringify(content);
    const tagged = sources.map(({ lastSync, lastAttempt, ...rest }) => rest);
    const tag = createHash('sha1')
      .update(`${health}\n${JSON.stringify(tagged)}\n${json}`)
      .digest('base64url');
    const body = Buffer.from(
      `{"generatedAt":${JSON.stringify(
        report.generatedAt,
      )},"sources":${JSON.stringify(sources)},${json.slice(1)}`,
      'utf8',
    );
    const serialized = { body, etag: `W/"${tag}"` };
    if (!view) {
      if (current.responses.size >= MAX_CACHED_RESPONSES)
        current.responses.clear();
      current.responses.set(key, serialized);
    }
    return serialized;
  }

  async fleetReport(
    view?: ReportView,
  ): Promise<FleetReport & { sources: ManagementClusterStatus[] }> {
    const current = await this.#current();
    const report = view ? view(current.report) : current.report;
    return { ...report, sources: await this.managementClusters(view) };
  }

  // ---------------------------------------------------------------------------------------------------------

  /** The labels of every Namespace object per management cluster, built once per report. */
  #namespaceIndex(
    computed: Computed & { input: FleetInput },
  ): Map<string, Map<string, Record<string, string>>> {
    if (computed.namespaces) return computed.namespaces;
    const index = new Map<string, Map<string, Record<string, string>>>();
    for (const m of computed.input.managementClusters) {
      const labels = new Map<string, Record<string, string>>();
      for (const { object } of m.objects) {
        if (object.kind === 'Namespace' && object.metadata?.name)
          labels.set(object.metadata.name, object.metadata.labels ?? {});
      }
      index.set(m.name, labels);
    }
    computed.namespaces = index;
    return index;
  }

  /** Clusters and identities per target account, built once per report. */
  #accountIndex(computed: Computed): Map<string, AccountIndexEntry> {
    if (computed.byAccount) return computed.byAccount;
    const index = new Map<string, AccountIndexEntry>();
    for (const account of computed.report.accounts) {
      index.set(account.accountId, {
        account,
        clusters: [],
        identities: [],
        involved: [],
      });
    }
    for (const c of computed.report.clusters) {
      const entry = c.accountId ? index.get(c.accountId) : undefined;
      entry?.clusters.push(c);
    }
    for (const i of computed.report.identities) {
      const entry = i.accountId ? index.get(i.accountId) : undefined;
      entry?.identities.push(i);
    }
    for (const entry of index.values()) {
      entry.involved = [
        ...new Set([
          ...entry.clusters.map(c => c.managementCluster),
          ...entry.identities.map(i => i.managementCluster),
          ...entry.account.managementClusters,
        ]),
      ];
    }
    computed.byAccount = index;
    return index;
  }

  #requireAccount(report: FleetReport, accountId: string) {
    const account = report.accounts.find(a => a.accountId === accountId);
    if (!account)
      throw new NotFoundError(`No AWS account ${accountId} in the fleet`);
    return account;
  }

  #accountResponse(
    report: FleetReport,
    statuses: Map<string, SourceStatus>,
    live: boolean,
    accountId: string,
  ): AccountTrustResponse {
    const account = this.#requireAccount(report, accountId);
    const clusters = report.clusters.filter(c => c.accountId === accountId);
    const identities = report.identities.filter(i => i.accountId === accountId);
    const involved = new Set([
      ...clusters.map(c => c.managementCluster),
      ...identities.map(i => i.managementCluster),
      ...account.managementClusters,
    ]);
    const stale = [...involved].some(name =>
      Boolean(statuses.get(name)?.error),
    );
    return {
      account,
      clusters,
      identities,
      generatedAt: report.generatedAt,
      live,
      stale,
    };
  }

  async #gatherAndStore(
    plan: EvidencePlan,
    force: boolean,
  ): Promise<LiveEvidence> {
    const gatherer = this.#gatherer!;
    const chainAccounts: Record<string, string> = {};
    const input = await this.#input();
    const byName = new Map(
      input.managementClusters.map(m => [m.name, m.accountId]),
    );
    for (const chain of plan.chains) {
      const mgmt = chain.key.split('>')[0]; // chain keys start with the management cluster's name
      const accountId = byName.get(mgmt);
      if (accountId) chainAccounts[chain.key] = accountId;
    }
    const fresh = await gatherer.gather(plan, {
      force,
      managementAccountId: chainAccounts,
    });
    const stored = await this.#storedEvidence();
    const merged: LiveEvidence = {
      organizationAccounts:
        fresh.organizationAccounts ?? stored?.evidence.organizationAccounts,
      targetRoles: { ...stored?.evidence.targetRoles, ...fresh.targetRoles },
      simulations: { ...stored?.evidence.simulations, ...fresh.simulations },
      assumeResults: {
        ...stored?.evidence.assumeResults,
        ...fresh.assumeResults,
      },
      eksClusters: {
        ...stored?.evidence.eksClusters,
        ...fresh.eksClusters,
      },
    };
    const value: StoredEvidence = {
      version: new Date().toISOString(),
      evidence: merged,
    };
    await this.#cache.set(LIVE_EVIDENCE_KEY, value as any, {
      ttl: this.#evidenceTtlMs,
    });
    // The version last: a replica that sees it finds the evidence it names.
    await this.#cache.set(LIVE_EVIDENCE_VERSION_KEY, value.version, {
      ttl: this.#evidenceTtlMs,
    });
    this.#lastEvidence = value;
    this.#evidenceWrites++;
    return fresh;
  }

  /**
   * The source statuses (database) and the stored evidence (cache service) the report depends on, read at
   * most once per `stateTtlMs` and shared by concurrent requests; a write by this instance (snapshot store,
   * evidence) invalidates at once.
   */
  #readState() {
    const now = Date.now();
    const writes = this.#store.localWrites;
    const state = this.#state;
    if (
      state &&
      state.writes === writes &&
      state.evidenceWrites === this.#evidenceWrites &&
      now - state.at < this.#stateTtlMs
    ) {
      return state.value;
    }
    const value = Promise.all([
      this.#store.statuses(),
      this.#storedEvidence(),
    ]).then(([statusList, stored]) => ({ statusList, stored }));
    const entry = {
      at: now,
      writes,
      evidenceWrites: this.#evidenceWrites,
      value,
    };
    this.#state = entry;
    value.catch(() => {
      if (this.#state === entry) this.#state = undefined;
    });
    return value;
  }

  /** The evidence last read or written by this instance (reused while the stored version is the same). */
  #lastEvidence?: StoredEvidence;

  async #storedEvidence(): Promise<StoredEvidence | undefined> {
    try {
      const version = await this.#cache.get(LIVE_EVIDENCE_VERSION_KEY);
      if (version === undefined) return undefined;
      if (this.#lastEvidence?.version === version) return this.#lastEvidence;
      const stored = (await this.#cache.get(LIVE_EVIDENCE_KEY)) as
        | StoredEvidence
        | undefined;
      if (stored) this.#lastEvidence = stored;
      return stored;
    } catch (e) {
      this.#logger.warn(
        `capa: cache unavailable, serving static evidence only: ${e}`,
      );
      return undefined;
    }
  }

  async #input(): Promise<FleetInput> {
    return (await this.#current()).input;
  }

  #lastInput?: ReadInput;
  /** The last evaluation: the next one starts from it and evaluates only what changed (incremental trust). */
  #evaluation?: FleetEvaluation;

  /** The statuses by source and the report's keys, derived once per state read (not per request). */
  #derived?: {
    state: { statusList: SourceStatus[]; stored: StoredEvidence | undefined };
    fleetVersion: number;
    statuses: Map<string, SourceStatus>;
    sourcesKey: string;
    key: string;
  };

  async #current(): Promise<Computed & { input: FleetInput }> {
    const state = await this.#readState();
    let derived = this.#derived;
    if (
      derived?.state !== state ||
      derived.fleetVersion !== this.#fleetVersion
    ) {
      const statuses = new Map(state.statusList.map(s => [s.source, s]));
      const sourcesKey = this.#fleet.managementClusters
        .map(
          ({ cluster }) =>
            `${cluster.name}@${statuses.get(cluster.name)?.generation ?? 0}`,
        )
        .join(',');
      derived = {
        state,
        fleetVersion: this.#fleetVersion,
        statuses,
        sourcesKey,
        key: `${sourcesKey}#${state.stored?.version ?? 'static'}#${
          this.#fleetVersion
        }`,
      };
      this.#derived = derived;
    }
    const { statuses, sourcesKey, key } = derived;
    const stored = state.stored;
    let computed = this.#computed;
    if (!computed || (await computed).key !== key) {
      computed = this.#compute(key, sourcesKey, statuses, stored);
      this.#computed = computed;
      computed.catch(() => {
        if (this.#computed === computed) this.#computed = undefined;
      });
    }
    const result = await computed;
    // Statuses change on every attempt (errors, timestamps) without a new generation: serve the fresh ones.
    // (The same object is returned while the state is unchanged, so the account index and responses built
    // on it are kept.)
    result.statuses = statuses;
    return Object.assign(result, { input: this.#lastInput!.input });
  }

  /**
   * The engine's input: the configuration and each source's last good snapshot. Only the sources whose generation
   * changed since the last read are read (and parsed) again; the others keep their objects (the same arrays, so
   * the engine knows them unchanged without comparing them).
   */
  async #readInput(
    key: string,
    statuses: Map<string, SourceStatus>,
  ): Promise<ReadInput> {
    const names = this.#fleet.managementClusters.map(m => m.cluster.name);
    const last = this.#lastInput?.sources ?? new Map<string, SourceSnapshot>();
    const sources = new Map<string, SourceSnapshot>();
    const stale: string[] = [];
    for (const name of names) {
      const kept = last.get(name);
      const generation = statuses.get(name)?.generation ?? 0;
      if (kept && kept.generation === generation) sources.set(name, kept);
      else stale.push(name);
    }
    for (const snapshot of await this.#store.snapshots(stale))
      sources.set(snapshot.source, snapshot);
    const problems = [...this.#fleet.problems];
    const input: FleetInput = {
      managementClusters: this.#fleet.managementClusters.map(({ cluster }) => {
        const snapshot = sources.get(cluster.name);
        problems.push(...(snapshot?.problems ?? []));
        return { ...cluster, objects: snapshot?.objects ?? NO_OBJECTS };
      }),
      accounts: this.#fleet.accounts,
      problems,
      ...(this.#fleet.organization
        ? { organization: this.#fleet.organization }
        : {}),
    };
    return { key, input, sources };
  }

  async #compute(
    key: string,
    sourcesKey: string,
    statuses: Map<string, SourceStatus>,
    stored: StoredEvidence | undefined,
  ): Promise<Computed> {
    const inputKey = `${sourcesKey}#${this.#fleetVersion}`;
    if (this.#lastInput?.key !== inputKey)
      this.#lastInput = await this.#readInput(inputKey, statuses);
    const evaluation = evaluateFleetIncrementally(
      this.#evaluation,
      this.#lastInput.input,
      stored?.evidence,
    );
    this.#evaluation = evaluation;
    const { stats } = evaluation;
    this.#logger.debug(
      `capa: trust evaluated (${stats.mode}${
        stats.reason ? `: ${stats.reason}` : ''
      }): ${stats.clusters} clusters, ${stats.identities} identities, ${
        stats.chains
      } chains, ${stats.accounts} accounts`,
    );
    const report = evaluation.report;
    const live = Boolean(
      stored &&
        (Object.keys(stored.evidence.assumeResults ?? {}).length > 0 ||
          Object.keys(stored.evidence.targetRoles ?? {}).length > 0),
    );
    return { key, report, statuses, live, responses: new Map() };
  }
}

function summarizeCluster(c: ClusterReport): ClusterSummary {
  const { checks, chain, conditions, ...rest } = c;
  const ready = conditions.find(
    x => x.type === 'Ready' || x.type === 'Available',
  );
  return {
    ...rest,
    failing: checks.filter(x => x.status === 'fail').map(x => x.id),
    warning: checks.filter(x => x.status === 'warn').map(x => x.id),
    ready: ready ? ready.status === 'True' : undefined,
  };
}

/** The part of an evidence plan that concerns one target account. */
function filterPlan(plan: EvidencePlan, accountId: string): EvidencePlan {
  const inAccount = (arn: string) => arn.split(':')[4] === accountId;
  return {
    roleArns: plan.roleArns.filter(inAccount),
    simulations: plan.simulations.filter(s => inAccount(s.roleArn)),
    chains: plan.chains.filter(c => c.expectedAccountId === accountId),
  };
}
