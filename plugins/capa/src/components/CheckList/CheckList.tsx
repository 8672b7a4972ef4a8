import type { ReactElement } from 'react';
import { Flex, Text } from '@backstage/ui';
import {
  compareCheckStatus,
  type Check,
  type CheckStatus,
} from '@capa-portal/plugin-capa-common';
import { CheckStatusLabel } from '../VerdictChip';
import { EvidenceList } from './EvidenceList';
import { FixHint } from './FixHint';

/** A check, and which subjects (account, identities, clusters) report it. */
export interface CheckItem {
  check: Check;
  subjects: string[];
}

/**
 * Gathers the checks of several subjects, keeps the given statuses, and merges the same finding
 * (same check id, status and message) reported by several subjects into one item listing them all.
 */
export function collectChecks(
  sources: Array<{ subject: string; checks: Check[] }>,
  statuses: CheckStatus[] = ['fail', 'warn'],
): CheckItem[] {
  const byKey = new Map<string, CheckItem>();
  for (const { subject, checks } of sources) {
    for (const check of checks ?? []) {
      if (!statuses.includes(check.status)) continue;
      const key = `${check.id}\u0000${check.status}\u0000${check.message}`;
      const item = byKey.get(key);
      if (item) {
        if (!item.subjects.includes(subject)) item.subjects.push(subject);
      } else {
        byKey.set(key, { check, subjects: [subject] });
      }
    }
  }
  return [...byKey.values()].sort(
    (a, b) =>
      compareCheckStatus(a.check.status, b.check.status) ||
      a.check.id.localeCompare(b.check.id),
  );
}

const MAX_SUBJECTS = 5;

/**
 * Failing and warning checks, each with its message, evidence and fix.
 *
 * @public
 */
export function CheckList(props: {
  items: CheckItem[];
  /** Shown when there is nothing to list. */
  emptyMessage?: string;
}): ReactElement {
  const { items, emptyMessage = 'No failing or warning checks.' } = props;
  if (items.length === 0) {
    return (
      <Text as="p" variant="body-medium">
        {emptyMessage}
      </Text>
    );
  }
  return (
    <ul
      aria-label="Failing and warning checks"
      style={{ listStyle: 'none', margin: 0, padding: 0 }}
    >
      {items.map(({ check, subjects }) => (
        <li
          key={`${check.id}-${check.status}-${check.message}`}
          data-testid={`capa-check-${check.id}`}
          style={{
            borderTop: '1px solid rgba(128,128,128,0.3)',
            padding: '8px 0',
          }}
        >
          <Flex direction="column" gap="1">
            <Flex gap="2" align="center">
              <CheckStatusLabel status={check.status} />
              <Text weight="bold">
                <code>{check.id}</code>
              </Text>
            </Flex>
            <Text as="p" variant="body-medium">
              {check.message}
            </Text>
            {subjects.length > 0 && subjects[0] ? (
              <Text as="p" variant="body-small" color="secondary">
                Reported by: {subjects.slice(0, MAX_SUBJECTS).join(', ')}
                {subjects.length > MAX_SUBJECTS
                  ? ` and ${subjects.length - MAX_SUBJECTS} more`
                  : ''}
              </Text>
            ) : null}
            <EvidenceList evidence={check.evidence} collapseValues />
            {check.fix ? <FixHint fix={check.fix} /> : null}
          </Flex>
        </li>
      ))}
    </ul>
  );
}
