import type { ReactElement } from 'react';
import { Text } from '@backstage/ui';
import type { CheckEvidence } from '@capa-portal/plugin-capa-common';
import { formatEvidence, formatEvidenceValue } from '../../lib/format';

/**
 * The evidence a check used: source (file:line, object, AWS call), detail, and the value itself.
 *
 * @public
 */
export function EvidenceList(props: {
  evidence?: CheckEvidence[];
}): ReactElement | null {
  const { evidence } = props;
  if (!evidence || evidence.length === 0) return null;
  return (
    <ul style={{ margin: 0, paddingLeft: '1.25em' }} aria-label="Evidence">
      {evidence.map((e, i) => {
        const value = formatEvidenceValue(e.value);
        return (
          <li key={i}>
            <Text variant="body-small">
              <code>{formatEvidence(e)}</code>
            </Text>
            {value ? (
              <pre
                style={{
                  margin: '2px 0 0',
                  fontSize: '0.75rem',
                  whiteSpace: 'pre-wrap',
                  wordBreak: 'break-all',
                  maxHeight: 160,
                  overflow: 'auto',
                }}
              >
                {value}
              </pre>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}
