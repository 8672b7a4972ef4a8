/*
 * CAPA's identities. The fields CAPA reads (pkg/cloud/scope/session.go): allowedNamespaces, roleARN,
 * sourceIdentityRef, externalID, durationSeconds, sessionName, inlinePolicy, policyARNs, secretRef.
 */
import { allowedNamespacesShapeError } from '../allowedNamespaces';
import {
  ParsedIdentity,
  ParsedObjects,
  ROLE_IDENTITY_KIND,
  STATIC_IDENTITY_KIND,
} from '../objectTypes';
import {
  fail,
  ObjectEnvelope,
  optString,
  parseIdentityRef,
  strMap,
} from '../parseHelpers';

/** AWSClusterControllerIdentity, AWSClusterRoleIdentity, AWSClusterStaticIdentity (the first of a name wins). */
export function parseIdentity(o: ObjectEnvelope, out: ParsedObjects) {
  const { kind, name, apiVersion, location, meta, spec, problem } = o;
  const key = `${kind}/${name}`;
  const shape = allowedNamespacesShapeError(spec.allowedNamespaces);
  if (shape) fail(`spec.${shape}`);
  let durationSeconds = 0;
  if (spec.durationSeconds !== undefined && spec.durationSeconds !== null) {
    if (
      typeof spec.durationSeconds !== 'number' ||
      !Number.isInteger(spec.durationSeconds)
    ) {
      fail('spec.durationSeconds must be an integer');
    }
    durationSeconds = spec.durationSeconds;
  }
  let policyArns: string[] | undefined;
  if (spec.policyARNs !== undefined && spec.policyARNs !== null) {
    if (
      !Array.isArray(spec.policyARNs) ||
      spec.policyARNs.some((x: unknown) => typeof x !== 'string')
    ) {
      fail('spec.policyARNs must be a list of strings');
    }
    policyArns = spec.policyARNs;
  }
  const identity: ParsedIdentity = {
    kind,
    name,
    apiVersion,
    location,
    allowedNamespaces: spec.allowedNamespaces,
    roleArn:
      kind === ROLE_IDENTITY_KIND
        ? optString(spec.roleARN, 'spec.roleARN')
        : undefined,
    sourceIdentityRef:
      kind === ROLE_IDENTITY_KIND
        ? parseIdentityRef(spec.sourceIdentityRef, 'spec.sourceIdentityRef')
        : undefined,
    externalId:
      kind === ROLE_IDENTITY_KIND
        ? optString(spec.externalID, 'spec.externalID')
        : undefined,
    durationSeconds,
    sessionName: optString(spec.sessionName, 'spec.sessionName'),
    inlinePolicy: optString(spec.inlinePolicy, 'spec.inlinePolicy'),
    policyArns,
    secretRef:
      kind === STATIC_IDENTITY_KIND
        ? optString(spec.secretRef, 'spec.secretRef')
        : undefined,
    labels: strMap(meta.labels),
    annotations: strMap(meta.annotations),
  };
  if (kind === ROLE_IDENTITY_KIND && !identity.roleArn)
    fail('spec.roleARN is required');
  if (kind === STATIC_IDENTITY_KIND && !identity.secretRef)
    fail('spec.secretRef is required');
  if (out.identityIndex.has(key)) {
    const first = out.identityIndex.get(key)!;
    problem(
      `${key} is defined more than once (first at ${first.location.source}${
        first.location.line ? `:${first.location.line}` : ''
      }); the first is used`,
      'warning',
      key,
    );
    return;
  }
  out.identities.push(identity);
  out.identityIndex.set(key, identity);
}
