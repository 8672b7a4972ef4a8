import { parseEntityRef } from '@backstage/catalog-model';
import type { NotificationPayload } from '@backstage/plugin-notifications-common';
import { RANK, SourceSubject, TrustState, TrustSubject } from './subjects';

/** The topics capa's notifications carry (users can mute each in the notifications settings). */
export const TRUST_TOPIC = 'capa-trust';
export const SOURCE_TOPIC = 'capa-source';

const MAX_MESSAGE = 300;

/** The entity page of `resource:default/<name>` in the app (a path: the notifications backend accepts those). */
export function entityPath(entityRef: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/catalog/${encodeURIComponent(namespace)}/${encodeURIComponent(
    kind.toLowerCase(),
  )}/${encodeURIComponent(name)}`;
}

const clip = (text: string) =>
  text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;

/**
 * A trust change: worse (a regression, with the checks that fail or warn) or better (back to trusted or
 * configured: a recovery; broken to degraded: what still warns). The scope is the entity, so a later change of
 * the same account or cluster replaces this notification in the inbox instead of stacking on it.
 */
export function trustChangePayload(
  subject: TrustSubject,
  previous: { state: string; verdict?: string },
): NotificationPayload {
  const was = previous.verdict ?? previous.state;
  const worse = RANK[subject.state] > (RANK[previous.state as TrustState] ?? 0);
  const title =
    subject.state === 'ok'
      ? `${subject.label}: trust recovered (${subject.verdict})`
      : `${subject.label}: trust ${subject.verdict}`;
  const checks = subject.checks.map(c => `${c.id}: ${clip(c.message)}`);
  const description = [
    `Verdict was ${was}, now ${subject.verdict}.`,
    ...(checks.length
      ? [
          `${subject.state === 'broken' ? 'Failing' : 'Warning'}: ${checks.join(
            ' | ',
          )}`,
        ]
      : []),
  ].join(' ');
  let severity: NotificationPayload['severity'] = 'low';
  if (subject.state === 'broken') severity = 'high';
  else if (worse) severity = 'normal';
  return {
    title,
    description,
    link: entityPath(subject.entityRef),
    severity,
    topic: TRUST_TOPIC,
    scope: `capa:trust:${subject.entityRef}`,
  };
}

/** A management cluster's source went stale (its reads fail) or recovered. */
export function sourceChangePayload(
  source: SourceSubject,
): NotificationPayload {
  const stale = source.state === 'stale';
  return {
    title: stale
      ? `Management cluster ${source.name}: data is stale`
      : `Management cluster ${source.name}: data is fresh again`,
    description: stale
      ? `Reading it failed${
          source.error ? ` (${clip(source.error)})` : ''
        }. capa keeps serving its last good data; trust alerts for its clusters and accounts wait until it is read again.`
      : 'It was read again; trust alerts for its clusters and accounts resume, and changes found now are notified once.',
    link: entityPath(source.entityRef),
    severity: stale ? 'normal' : 'low',
    topic: SOURCE_TOPIC,
    scope: `capa:source:${source.entityRef}`,
  };
}
