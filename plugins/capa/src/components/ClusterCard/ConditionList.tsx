import type { ReactElement } from 'react';
import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import type { ClusterCondition } from '@capa-portal/plugin-capa-common';

/** CAPI conditions whose True means "something is going on", not "healthy" (v1beta2 polarity). */
const NEGATIVE_POLARITY = new Set([
  'Deleting',
  'Paused',
  'RollingOut',
  'ScalingUp',
  'ScalingDown',
  'Remediating',
]);

function ConditionStatus(props: { condition: ClusterCondition }) {
  const { type, status, severity } = props.condition;
  const text = status;
  if (status !== 'True' && status !== 'False') {
    return <StatusPending>{text}</StatusPending>;
  }
  const healthy = (status === 'True') !== NEGATIVE_POLARITY.has(type);
  if (healthy) return <StatusOK>{text}</StatusOK>;
  if (
    NEGATIVE_POLARITY.has(type) ||
    severity === 'Warning' ||
    severity === 'Info'
  ) {
    return <StatusWarning>{text}</StatusWarning>;
  }
  return <StatusError>{text}</StatusError>;
}

/**
 * CAPI Cluster conditions as the management cluster reports them: v1beta1 (`Ready`, `ControlPlaneReady`, ...)
 * and v1beta2 (`Available`, `InfrastructureReady`, `ControlPlaneAvailable`, ...) types alike.
 *
 * @public
 */
export function ConditionList(props: {
  conditions: ClusterCondition[];
  /** Accessible name of the table (default `Conditions`). */
  label?: string;
}): ReactElement {
  const { conditions, label = 'Conditions' } = props;
  if (conditions.length === 0) {
    return <p style={{ margin: 0 }}>No conditions reported.</p>;
  }
  return (
    <table
      aria-label={label}
      style={{ borderCollapse: 'collapse', width: '100%', fontSize: '0.85rem' }}
    >
      <thead>
        <tr style={{ textAlign: 'left' }}>
          <th scope="col">Type</th>
          <th scope="col">Status</th>
          <th scope="col">Reason</th>
          <th scope="col">Message</th>
        </tr>
      </thead>
      <tbody>
        {conditions.map(c => (
          <tr
            key={c.type}
            style={{ borderTop: '1px solid rgba(128,128,128,0.3)' }}
            title={
              c.lastTransitionTime ? `since ${c.lastTransitionTime}` : undefined
            }
          >
            <td>
              <code>{c.type}</code>
            </td>
            <td>
              {/* Backstage's Status* components are aria-hidden: name the status for screen readers. */}
              <span role="img" aria-label={`${c.type}: ${c.status}`}>
                <ConditionStatus condition={c} />
              </span>
            </td>
            <td>{c.reason ?? ''}</td>
            <td style={{ wordBreak: 'break-word' }}>{c.message ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
