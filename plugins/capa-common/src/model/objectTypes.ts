/*
 * What parsing CAPA / CAPI objects yields: the identity, carrier (the object holding identityRef), Cluster,
 * ClusterClass and CAPI Operator provider models, and the kind names CAPA defines.
 */
import type { IdentityRef, InputProblem, SourceLocation } from '../types';
import type { ClusterCondition } from '../types';

/** @public */
export const CONTROLLER_IDENTITY_KIND = 'AWSClusterControllerIdentity';
/** @public */
export const ROLE_IDENTITY_KIND = 'AWSClusterRoleIdentity';
export const STATIC_IDENTITY_KIND = 'AWSClusterStaticIdentity';
/** @public */
export const IDENTITY_KINDS = [
  CONTROLLER_IDENTITY_KIND,
  ROLE_IDENTITY_KIND,
  STATIC_IDENTITY_KIND,
] as const;
/** `infrav1.AWSClusterControllerIdentityName`: the singleton's only acceptable name. */
export const CONTROLLER_IDENTITY_NAME = 'default';
/**
 * What CAPA's defaulting webhooks set when identityRef is omitted.
 *
 * @public
 */
export const DEFAULT_IDENTITY_REF: IdentityRef = {
  kind: CONTROLLER_IDENTITY_KIND,
  name: CONTROLLER_IDENTITY_NAME,
};

/** Kinds that carry `identityRef`. */
export const CARRIER_KINDS = [
  'AWSCluster',
  'AWSManagedControlPlane',
  'ROSAControlPlane',
  'AWSClusterTemplate',
  'AWSManagedControlPlaneTemplate',
] as const;
export type CarrierKind = (typeof CARRIER_KINDS)[number];

export interface ParsedIdentity {
  kind: string;
  name: string;
  apiVersion: string;
  location: SourceLocation;
  /** Raw value (shape validated): `undefined`/`null` mean "deny all". */
  allowedNamespaces: unknown;
  roleArn?: string;
  sourceIdentityRef?: IdentityRef;
  externalId?: string;
  /** 0 when not set. */
  durationSeconds: number;
  sessionName?: string;
  inlinePolicy?: string;
  policyArns?: string[];
  secretRef?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface ParsedCarrier {
  kind: CarrierKind;
  namespace: string;
  name: string;
  apiVersion: string;
  location: SourceLocation;
  /** As written; undefined when omitted (CAPA then defaults it). */
  identityRef?: IdentityRef;
  region?: string;
  version?: string;
  apiServer?: string;
  eksClusterName?: string;
  /** The owning CAPI Cluster name, from the `cluster.x-k8s.io/cluster-name` label or an owner reference. */
  ownerCluster?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface ObjectRefLite {
  kind: string;
  name: string;
  apiVersion?: string;
  apiGroup?: string;
  namespace?: string;
}

export interface ParsedCluster {
  namespace: string;
  name: string;
  apiVersion: string;
  location: SourceLocation;
  infrastructureRef?: ObjectRefLite;
  controlPlaneRef?: ObjectRefLite;
  topology?: {
    className: string;
    classNamespace?: string;
    version?: string;
    variables: Array<{ name: string; value: unknown }>;
  };
  phase?: string;
  conditions: ClusterCondition[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  infrastructureReady?: boolean;
  controlPlaneReady?: boolean;
}

export interface ParsedClusterClass {
  namespace: string;
  name: string;
  apiVersion: string;
  infrastructureTemplate?: ObjectRefLite;
  controlPlaneTemplate?: ObjectRefLite;
}

export interface ParsedInfrastructureProvider {
  namespace: string;
  name: string;
  apiVersion: string;
  location: SourceLocation;
  watchFilter?: string;
  configSecret?: string;
}

export interface ParsedObjects {
  clusters: ParsedCluster[];
  carriers: ParsedCarrier[];
  identities: ParsedIdentity[];
  /** `Kind/name` -> identity (first wins). */
  identityIndex: Map<string, ParsedIdentity>;
  /** Identity keys that were present but malformed (skipped). */
  malformedIdentities: Set<string>;
  /** Namespace name -> labels. */
  namespaces: Map<string, Record<string, string>>;
  clusterClasses: ParsedClusterClass[];
  infrastructureProviders: ParsedInfrastructureProvider[];
  /** Other kubeadm control planes: namespace/name -> version, for kubernetesVersion. */
  controlPlaneVersions: Map<string, string>;
  problems: InputProblem[];
}

export function identityKey(ref: IdentityRef): string {
  return `${ref.kind}/${ref.name}`;
}
