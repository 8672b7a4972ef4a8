/*
 * The trust engine's own types: the partial checks the check modules return, one AssumeRole hop and its
 * results, a chain's shared evaluation, and the per-evaluation state (memos scoped to one evaluateFleet call).
 */
import type {
  Check,
  CheckEvidence,
  CheckId,
  CheckStatus,
  ChainPlan,
} from '../types';
import type { ParsedIdentity } from '../model/objects';
import type { ResolvedChain } from './chain';
import type { FleetContext } from './context';

/** A check before it has an id: what each check module computes. */
export interface PartialCheck {
  status: CheckStatus;
  message: string;
  evidence?: CheckEvidence[];
  fix?: Check['fix'];
}

/** The principal that makes one AssumeRole call. */
export interface HopSource {
  kind: 'controller' | 'static' | 'role';
  /** IAM ARN (role ARN for roles and role sessions); undefined for static credentials. */
  arn?: string;
  accountId?: string;
  /** The credentials are a role session (AssumeRole from them is role chaining). */
  roleSession: boolean;
  /** Known `aws:PrincipalTag/*` (complete when set). */
  tags?: Record<string, string>;
  /** The session policy the source's own session was created with (CAPA's inlinePolicy). */
  sessionPolicy?: string;
  /** `Kind/name` of the identity the credentials come from. */
  identity: string;
}

/** One sts:AssumeRole call of a chain: who calls, with which identity's parameters, on which role. */
export interface HopInput {
  source: HopSource;
  identity: ParsedIdentity;
  roleArn: string;
  externalId?: string;
  sessionName?: string;
  durationSeconds: number;
}

/** The four checks decided per hop. */
export interface HopResult {
  sourcePermission: PartialCheck;
  targetTrust: PartialCheck;
  externalId: PartialCheck;
  sessionDuration: PartialCheck;
}

/** A Kubernetes object whose apiVersion the api-version check reads. */
export interface ObjectApiVersion {
  kind: string;
  name: string;
  apiVersion: string;
  line?: number;
  source: string;
}

/** What a chain (management cluster + identityRef) evaluates to, shared by every cluster and identity using it. */
export interface ChainEvaluation {
  chain: ResolvedChain;
  key: string;
  plan?: ChainPlan;
  accountId?: string;
  /** Checks that do not depend on the cluster's namespace (without namespace-allowed / api-version / static-credentials). */
  checks: Map<CheckId, Check>;
  apiVersions: string[];
  apiVersionCheck: Check;
  staticCheck: Check;
  hasSynthetic: boolean;
  /** Chain links as a string, for namespace memoisation. */
  sig: string;
}

/** The work an evaluation did, counted as it happens (incremental evaluation is judged by these, not by time). */
export interface EvaluationCounter {
  /** Chains evaluated (evaluateChain: resolution, hops and their checks), once per chain and evaluation. */
  chains: number;
  /** Cluster reports assembled. */
  clusters: number;
  /** Identity reports assembled. */
  identities: number;
  /** Account reports aggregated. */
  accounts: number;
}

/** One evaluation's state: the fleet, and the memos that share work between its chains and clusters. */
export interface Engine {
  counter: EvaluationCounter;
  fleet: FleetContext;
  hopCache: Map<string, HopResult>;
  chainEvalCache: Map<string, ChainEvaluation>;
  nsCache: Map<string, Check>;
  /** api-version checks that pass, by the kinds and apiVersions of the objects (the common case is shared). */
  apiCheckMemo: Map<string, Check>;
  now: Date;
}
