/* eslint-disable no-nested-ternary */
/*
 * Everything the checks need, indexed once per fleet: parsed objects per management cluster, clusterawsadm
 * configurations per account, chain memoisation.
 */
import type {
  AccountInput,
  IdentityRef,
  InputProblem,
  LiveEvidence,
  ManagementClusterInput,
  OrganizationAccount,
  OrganizationSnapshot,
} from '../types';
import { isAccountId } from '../iam/arn';
import {
  defaultControllerPrincipal,
  ParsedIamConfiguration,
  parseIamConfiguration,
} from '../clusterawsadm/iamConfiguration';
import {
  CARRIER_KINDS,
  CONTROLLER_IDENTITY_KIND,
  CONTROLLER_IDENTITY_NAME,
  DEFAULT_IDENTITY_REF,
  identityKey,
  IDENTITY_KINDS,
  ParsedCarrier,
  ParsedCluster,
  ParsedIdentity,
  ParsedObjects,
  parseObjects,
} from '../model/objects';
import { resolveChain, ResolvedChain } from './chain';
import { isRecord } from '../records';

export interface ParsedIdentityX extends ParsedIdentity {
  /** Not in the input: CAPA's AutoControllerIdentityCreator would create it. */
  synthetic?: boolean;
}

/** A CAPA cluster as the engine sees it: the CAPI Cluster (if any) and the object carrying identityRef. */
export interface ClusterUnit {
  namespace: string;
  name: string;
  cluster?: ParsedCluster;
  carrier?: ParsedCarrier;
  /** The identityRef CAPA uses (defaulted when omitted). Undefined when the carrier was not found. */
  identityRef?: IdentityRef;
  identityRefDefaulted: boolean;
  /** Where the identityRef came from, in words, when it is not the carrier's own field. */
  identityRefNote?: string;
  /** The ref of the carrier that was not found. */
  missingCarrier?: { kind: string; name: string };
  flavour: 'eks' | 'kubeadm' | 'rosa' | 'unknown';
}

export interface MgmtContext {
  input: ManagementClusterInput;
  name: string;
  accountId: string;
  parsed: ParsedObjects;
  principalArn: string;
  principalUsesRoleSession: boolean;
  principalTags?: Record<string, string>;
  units: ClusterUnit[];
  /** A synthetic `AWSClusterControllerIdentity/default` was added (auto-created by CAPA). */
  autoControllerIdentity: boolean;
  chainCache: Map<string, ResolvedChain>;
}

export interface FleetContext {
  mgmts: MgmtContext[];
  /** clusterawsadm configuration per account id (management clusters' first, then accounts'). */
  iamConfigs: Map<string, ParsedIamConfiguration>;
  accounts: Map<string, AccountInput>;
  managementAccounts: Map<string, string[]>;
  organization?: Map<string, OrganizationAccount>;
  /** Where `organization` comes from: `organizations:ListAccounts` (live) or the snapshot file's name. */
  organizationSource?: string;
  live: LiveEvidence;
  problems: InputProblem[];
}

export function chainFor(mgmt: MgmtContext, ref: IdentityRef): ResolvedChain {
  const key = identityKey(ref);
  let chain = mgmt.chainCache.get(key);
  if (!chain) {
    chain = resolveChain(mgmt.parsed, ref);
    mgmt.chainCache.set(key, chain);
  }
  return chain;
}

function isCapaRef(
  ref: { kind: string; apiGroup?: string } | undefined,
): boolean {
  if (!ref) return false;
  const groupOk =
    !ref.apiGroup ||
    ref.apiGroup === 'infrastructure.cluster.x-k8s.io' ||
    ref.apiGroup === 'controlplane.cluster.x-k8s.io';
  return groupOk && (ref.kind.startsWith('AWS') || ref.kind.startsWith('ROSA'));
}

function flavourOf(
  kind: string | undefined,
  cluster?: ParsedCluster,
): ClusterUnit['flavour'] {
  if (
    kind === 'AWSManagedControlPlane' ||
    kind === 'AWSManagedControlPlaneTemplate'
  )
    return 'eks';
  if (kind === 'ROSAControlPlane') return 'rosa';
  if (kind === 'AWSCluster' || kind === 'AWSClusterTemplate') {
    const cp = cluster?.controlPlaneRef?.kind;
    return !cp ||
      cp === 'KubeadmControlPlane' ||
      cp === 'KubeadmControlPlaneTemplate'
      ? 'kubeadm'
      : 'unknown';
  }
  return 'unknown';
}

function identityFromVariables(
  cluster: ParsedCluster,
): { ref: IdentityRef; variable: string } | undefined {
  for (const v of cluster.topology?.variables ?? []) {
    const value = v.value;
    const candidates = isRecord(value) ? [value, value.identityRef] : [];
    for (const c of candidates) {
      if (
        isRecord(c) &&
        typeof c.kind === 'string' &&
        typeof c.name === 'string' &&
        (IDENTITY_KINDS as readonly string[]).includes(c.kind)
      ) {
        return { ref: { kind: c.kind, name: c.name }, variable: v.name };
      }
    }
  }
  return undefined;
}

/** Pairs CAPI Clusters with the AWSCluster / AWSManagedControlPlane / ROSAControlPlane carrying identityRef. */
export function buildUnits(parsed: ParsedObjects): ClusterUnit[] {
  const carriers = new Map<string, ParsedCarrier>();
  for (const c of parsed.carriers) {
    const key = `${c.kind}/${c.namespace}/${c.name}`;
    if (!carriers.has(key)) carriers.set(key, c);
  }
  const claimed = new Set<ParsedCarrier>();
  const units: ClusterUnit[] = [];
  const byOwner = new Map<string, ParsedCarrier[]>();
  for (const c of parsed.carriers) {
    if (c.kind.endsWith('Template') || !c.ownerCluster) continue;
    const k = `${c.namespace}/${c.ownerCluster}`;
    const l = byOwner.get(k);
    if (l) l.push(c);
    else byOwner.set(k, [c]);
  }
  const pick = (list: ParsedCarrier[] | undefined) =>
    list?.find(
      c => c.kind === 'AWSManagedControlPlane' || c.kind === 'ROSAControlPlane',
    ) ?? list?.find(c => c.kind === 'AWSCluster');

  for (const cluster of parsed.clusters) {
    const refs = [cluster.controlPlaneRef, cluster.infrastructureRef].filter(
      (r): r is NonNullable<typeof r> =>
        !!r &&
        (CARRIER_KINDS as readonly string[]).includes(r.kind) &&
        isCapaRef(r),
    );
    const capa =
      isCapaRef(cluster.infrastructureRef) ||
      isCapaRef(cluster.controlPlaneRef) ||
      refs.length > 0;
    let carrier: ParsedCarrier | undefined;
    let missing: ClusterUnit['missingCarrier'];
    for (const r of refs) {
      const found = carriers.get(
        `${r.kind}/${r.namespace ?? cluster.namespace}/${r.name}`,
      );
      if (found) {
        carrier = found;
        break;
      }
      if (!missing) missing = { kind: r.kind, name: r.name };
    }
    if (!carrier)
      carrier = pick(byOwner.get(`${cluster.namespace}/${cluster.name}`));
    if (carrier) {
      claimed.add(carrier);
      const defaulted = !carrier.identityRef;
      units.push({
        namespace: cluster.namespace,
        name: cluster.name,
        cluster,
        carrier,
        identityRef: carrier.identityRef ?? DEFAULT_IDENTITY_REF,
        identityRefDefaulted: defaulted,
        flavour: flavourOf(carrier.kind, cluster),
      });
      continue;
    }
    if (cluster.topology) {
      const cc = parsed.clusterClasses.find(
        c =>
          c.name === cluster.topology!.className &&
          c.namespace ===
            (cluster.topology!.classNamespace ?? cluster.namespace),
      );
      const tmplRefs = [
        cc?.controlPlaneTemplate,
        cc?.infrastructureTemplate,
      ].filter(
        (r): r is NonNullable<typeof r> =>
          !!r && (CARRIER_KINDS as readonly string[]).includes(r.kind),
      );
      let template: ParsedCarrier | undefined;
      for (const r of tmplRefs) {
        template = carriers.get(
          `${r.kind}/${r.namespace ?? cc!.namespace}/${r.name}`,
        );
        if (template) break;
      }
      const fromVar = identityFromVariables(cluster);
      if (template || fromVar || tmplRefs.length) {
        const ref = fromVar?.ref ?? template?.identityRef;
        units.push({
          namespace: cluster.namespace,
          name: cluster.name,
          cluster,
          carrier: template,
          identityRef: ref ?? DEFAULT_IDENTITY_REF,
          identityRefDefaulted: !ref,
          identityRefNote: fromVar
            ? `identityRef from topology variable ${fromVar.variable} (ClusterClass ${cluster.topology.className})`
            : template
            ? `identityRef from ${template.kind}/${template.name} of ClusterClass ${cluster.topology.className} (ClusterClass patches may override it; the generated AWSCluster would decide)`
            : undefined,
          flavour: flavourOf(template?.kind ?? tmplRefs[0]?.kind, cluster),
        });
        continue;
      }
    }
    if (capa || missing) {
      units.push({
        namespace: cluster.namespace,
        name: cluster.name,
        cluster,
        identityRefDefaulted: false,
        missingCarrier:
          missing ??
          (cluster.infrastructureRef
            ? {
                kind: cluster.infrastructureRef.kind,
                name: cluster.infrastructureRef.name,
              }
            : undefined),
        flavour: flavourOf(missing?.kind, cluster),
      });
    }
  }
  // Carriers without a CAPI Cluster (partial manifests): report them under their owner's name.
  const seen = new Set(units.map(u => `${u.namespace}/${u.name}`));
  for (const c of parsed.carriers) {
    if (claimed.has(c) || c.kind.endsWith('Template')) continue;
    const name = c.ownerCluster ?? c.name;
    const key = `${c.namespace}/${name}`;
    if (seen.has(key)) continue;
    const all = byOwner.get(key);
    const chosen = pick(all) ?? c;
    if (all) all.forEach(x => claimed.add(x));
    claimed.add(c);
    seen.add(key);
    units.push({
      namespace: c.namespace,
      name,
      carrier: chosen,
      identityRef: chosen.identityRef ?? DEFAULT_IDENTITY_REF,
      identityRefDefaulted: !chosen.identityRef,
      flavour: flavourOf(chosen.kind),
    });
  }
  return units;
}

/** The configured accounts by id; entries without a 12-digit accountId, or repeated, are problems. */
function readAccounts(
  accountInputs: AccountInput[],
  problems: InputProblem[],
): Map<string, AccountInput> {
  const accounts = new Map<string, AccountInput>();
  for (const a of accountInputs) {
    if (!isRecord(a) || typeof a.accountId !== 'string') {
      problems.push({
        source: 'accounts',
        message: 'an account entry has no accountId: skipped',
        severity: 'error',
      });
      continue;
    }
    if (!isAccountId(a.accountId)) {
      problems.push({
        source: 'accounts',
        message: `accountId ${JSON.stringify(
          a.accountId,
        )} is not 12 digits: skipped`,
        severity: 'error',
      });
      continue;
    }
    if (accounts.has(a.accountId)) {
      problems.push({
        source: 'accounts',
        message: `account ${a.accountId} is listed more than once; the first entry is used`,
        severity: 'warning',
      });
      continue;
    }
    accounts.set(a.accountId, a);
  }
  return accounts;
}

/** CAPI Operator providers run CAPA with static credentials: a warning each. */
function operatorProblems(parsed: ParsedObjects): InputProblem[] {
  return parsed.infrastructureProviders.map(ip => ({
    source: ip.location.source,
    line: ip.location.line,
    object: `InfrastructureProvider/${ip.namespace}/${ip.name}`,
    severity: 'warning' as const,
    message: `CAPI Operator InfrastructureProvider ${ip.namespace}/${
      ip.name
    } runs CAPA with static credentials${
      ip.configSecret ? ` from Secret ${ip.configSecret}` : ''
    }${
      ip.watchFilter ? ` (watch-filter ${ip.watchFilter})` : ''
    }: prefer AWSClusterRoleIdentity chained from the controller identity (no long-lived keys)`,
  }));
}

/**
 * CAPA's AutoControllerIdentityCreator (feature gate, on by default) creates AWSClusterControllerIdentity/default
 * with allowedNamespaces: {} when an AWSCluster / AWSManagedControlPlane references the controller identity:
 * a synthetic one is added to the index then. True when it was.
 */
function addAutoControllerIdentity(
  parsed: ParsedObjects,
  units: ClusterUnit[],
  managementCluster: string,
): boolean {
  const ctrlKey = `${CONTROLLER_IDENTITY_KIND}/${CONTROLLER_IDENTITY_NAME}`;
  if (
    parsed.identityIndex.has(ctrlKey) ||
    parsed.malformedIdentities.has(ctrlKey)
  )
    return false;
  const referenced = units.some(
    u =>
      u.carrier &&
      u.carrier.kind !== 'ROSAControlPlane' &&
      u.identityRef?.kind === CONTROLLER_IDENTITY_KIND,
  );
  if (!referenced) return false;
  const synthetic: ParsedIdentityX = {
    kind: CONTROLLER_IDENTITY_KIND,
    name: CONTROLLER_IDENTITY_NAME,
    apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
    location: {
      source: `kubernetes://${managementCluster} (created by CAPA's AutoControllerIdentityCreator)`,
    },
    allowedNamespaces: {},
    durationSeconds: 0,
    synthetic: true,
  };
  parsed.identityIndex.set(ctrlKey, synthetic);
  return true;
}

/** What parsing one management cluster's objects yields: the part of its context that only its objects decide. */
export type ParsedManagementCluster = Pick<
  MgmtContext,
  'parsed' | 'units' | 'autoControllerIdentity' | 'chainCache'
>;

export function parseManagementCluster(
  m: ManagementClusterInput,
): ParsedManagementCluster {
  const parsed = parseObjects(Array.isArray(m.objects) ? m.objects : []);
  const units = buildUnits(parsed);
  const autoControllerIdentity = addAutoControllerIdentity(
    parsed,
    units,
    m.name,
  );
  return { parsed, units, autoControllerIdentity, chainCache: new Map() };
}

/**
 * The fleet's context. `reuse` may hand back a management cluster's parsed objects from an earlier evaluation
 * (incremental evaluation: its objects did not change); everything else is built from the input.
 */
export function buildFleetContext(
  input: unknown,
  live: LiveEvidence | undefined,
  reuse?: (m: ManagementClusterInput) => ParsedManagementCluster | undefined,
): FleetContext {
  const problems: InputProblem[] = [];
  const inp = isRecord(input) ? input : {};
  if (Array.isArray(inp.problems)) {
    for (const p of inp.problems)
      if (isRecord(p) && typeof p.message === 'string')
        problems.push(p as InputProblem);
  }
  const liveEv: LiveEvidence = isRecord(live) ? (live as LiveEvidence) : {};
  const iamConfigs = new Map<string, ParsedIamConfiguration>();
  const managementAccounts = new Map<string, string[]>();
  const mgmtInputs: ManagementClusterInput[] = Array.isArray(
    inp.managementClusters,
  )
    ? inp.managementClusters
    : [];
  const accountInputs: AccountInput[] = Array.isArray(inp.accounts)
    ? inp.accounts
    : [];

  const accounts = readAccounts(accountInputs, problems);
  const mgmts: MgmtContext[] = [];
  const names = new Set<string>();
  for (const m of mgmtInputs) {
    if (!isRecord(m) || typeof m.name !== 'string' || !m.name) {
      problems.push({
        source: 'managementClusters',
        message: 'a management cluster has no name: skipped',
        severity: 'error',
      });
      continue;
    }
    if (names.has(m.name)) {
      problems.push({
        source: 'managementClusters',
        message: `management cluster ${m.name} is listed more than once; the first is used`,
        severity: 'error',
      });
      continue;
    }
    names.add(m.name);
    const accountId = typeof m.accountId === 'string' ? m.accountId : '';
    if (!isAccountId(accountId)) {
      problems.push({
        source: `managementClusters/${m.name}`,
        message: `accountId ${JSON.stringify(m.accountId)} is not 12 digits`,
        severity: 'error',
      });
    }
    let cfg: ParsedIamConfiguration | undefined;
    if (m.iamConfiguration !== undefined && m.iamConfiguration !== null) {
      cfg = parseIamConfiguration(
        m.iamConfiguration,
        m.iamConfigurationSource ??
          `managementClusters/${m.name}/iamConfiguration`,
      );
      problems.push(...cfg.problems);
      if (isAccountId(accountId) && !iamConfigs.has(accountId))
        iamConfigs.set(accountId, cfg);
    }
    if (isAccountId(accountId))
      managementAccounts.set(accountId, [
        ...(managementAccounts.get(accountId) ?? []),
        m.name,
      ]);
    const { parsed, units, autoControllerIdentity, chainCache } =
      reuse?.(m) ?? parseManagementCluster(m);
    problems.push(...parsed.problems.map(p => ({ ...p, source: p.source })));
    problems.push(...operatorProblems(parsed));
    const principalArn =
      typeof m.controllerPrincipalArn === 'string' && m.controllerPrincipalArn
        ? m.controllerPrincipalArn
        : defaultControllerPrincipal(cfg, accountId || '000000000000');
    mgmts.push({
      input: m,
      name: m.name,
      accountId,
      parsed,
      principalArn,
      principalUsesRoleSession: m.controllerUsesRoleSession === true,
      principalTags: isRecord(m.principalTags)
        ? (m.principalTags as Record<string, string>)
        : undefined,
      units,
      autoControllerIdentity,
      chainCache,
    });
  }
  for (const a of accounts.values()) {
    if (a.iamConfiguration !== undefined && a.iamConfiguration !== null) {
      const cfg = parseIamConfiguration(
        a.iamConfiguration,
        a.iamConfigurationSource ?? `accounts/${a.accountId}/iamConfiguration`,
      );
      problems.push(...cfg.problems);
      if (!iamConfigs.has(a.accountId)) iamConfigs.set(a.accountId, cfg);
    }
  }
  // Live ListAccounts wins over a snapshot file: it is what AWS says now.
  const snapshot = isRecord(inp.organization)
    ? (inp.organization as OrganizationSnapshot)
    : undefined;
  const orgAccounts = Array.isArray(liveEv.organizationAccounts)
    ? liveEv.organizationAccounts
    : Array.isArray(snapshot?.accounts)
    ? snapshot!.accounts
    : undefined;
  const organizationSource = Array.isArray(liveEv.organizationAccounts)
    ? 'organizations:ListAccounts'
    : orgAccounts
    ? String(snapshot?.source ?? 'organization')
    : undefined;
  let organization: Map<string, OrganizationAccount> | undefined;
  if (orgAccounts) {
    organization = new Map();
    for (const o of orgAccounts)
      if (isRecord(o) && typeof o.accountId === 'string')
        organization.set(o.accountId, o);
  }
  return {
    mgmts,
    iamConfigs,
    accounts,
    managementAccounts,
    organization,
    organizationSource,
    live: liveEv,
    problems,
  };
}
