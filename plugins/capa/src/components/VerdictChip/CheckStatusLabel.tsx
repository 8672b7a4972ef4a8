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
  switch (status) {
    case 'pass':
      return <StatusOK>{label}</StatusOK>;
    case 'warn':
      return <StatusWarning>{label}</StatusWarning>;
    case 'fail':
      return <StatusError>{label}</StatusError>;
    default:
      return <StatusPending>{label}</StatusPending>;
  }
}
