import type { ReactElement } from 'react';
import { Text } from '@backstage/ui';
import type { CheckEvidence } from '@capa-portal/plugin-capa-common';
import { formatEvidence, formatEvidenceValue } from '../../lib/format';

function valueBlock(value: string): ReactElement {
  return (
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
  );
}

/**
 * The evidence a check used: source (file:line, object, AWS call), detail, and the value itself.
 *
 * @public
 */
export function EvidenceList(props: {
  evidence?: CheckEvidence[];
  /** Folds each value (a policy, a statement: often 15 lines of JSON) under "Show value". */
  collapseValues?: boolean;
}): ReactElement | null {
  const { evidence, collapseValues = false } = props;
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
            {value && collapseValues ? (
              <details>
                <summary style={{ cursor: 'pointer' }}>
                  <Text variant="body-x-small" color="secondary">
                    Show value
                  </Text>
                </summary>
                {valueBlock(value)}
              </details>
            ) : null}
            {value && !collapseValues ? valueBlock(value) : null}
          </li>
        );
      })}
    </ul>
  );
}
