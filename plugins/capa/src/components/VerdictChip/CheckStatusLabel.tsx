import type { ReactElement } from 'react';
import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import type { CheckStatus } from '@capa-portal/plugin-capa-common';

const labels: Record<CheckStatus, string> = {
  pass: 'Pass',
  warn: 'Warning',
  fail: 'Fail',
  skip: 'Skipped',
};

/**
 * A check status with Backstage's status icon and its name in words.
 *
 * @public
 */
export function CheckStatusLabel(props: {
  status: CheckStatus | string;
}): ReactElement {
  const status = props.status as CheckStatus;
  const label = labels[status] ?? String(props.status);
  // Backstage's Status* components are aria-hidden (icon and text): name the status for screen readers.
  return (
    <span role="img" aria-label={`Status: ${label}`}>
      <StatusIcon status={status}>{label}</StatusIcon>
    </span>
  );
}

function StatusIcon(props: {
  status: CheckStatus;
  children: string;
}): ReactElement {
  switch (props.status) {
    case 'pass':
      return <StatusOK>{props.children}</StatusOK>;
    case 'warn':
      return <StatusWarning>{props.children}</StatusWarning>;
    case 'fail':
      return <StatusError>{props.children}</StatusError>;
    default:
      return <StatusPending>{props.children}</StatusPending>;
  }
}
