import Typography from '@material-ui/core/Typography';
import { useApi } from '@backstage/core-plugin-api';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import useAsync from 'react-use/esm/useAsync';
import type { ManagementClusterStatus } from '@capa-portal/plugin-capa-common';
import { capaApiRef } from '../../api';
import { PickerSelect } from './PickerSelect';

/** ui:options of {@link CapaManagementClusterPicker}. @public */
export interface CapaManagementClusterPickerUiOptions {
  /** Only management clusters with a live `kubernetes:` connection can be picked (for direct apply). */
  requireLive?: boolean;
}

function describe(m: ManagementClusterStatus): string {
  let health = 'healthy';
  if (!m.reachable) health = 'unreachable';
  else if (m.stale) health = 'stale';
  return `${m.name} (account ${m.accountId}) · ${
    m.source.type === 'kubernetes' ? 'live cluster' : 'GitOps manifests'
  } · ${health} · ${m.clusterCount} clusters`;
}

/**
 * Scaffolder field: a management cluster of the fleet, with its source and health.
 *
 * @public
 */
export function CapaManagementClusterPicker(
  props: FieldExtensionComponentProps<
    string,
    CapaManagementClusterPickerUiOptions
  >,
) {
  const { formData, onChange, schema, uiSchema } = props;
  const api = useApi(capaApiRef);
  const requireLive = uiSchema?.['ui:options']?.requireLive === true;
  const { value, loading, error } = useAsync(
    () => api.getManagementClusters(),
    [api],
  );
  const items = value?.items ?? [];
  const selected = items.find(m => m.name === formData);
  let helper =
    schema.description ??
    'The management cluster that will own the new cluster';
  if (error)
    helper = `Could not load the management clusters: ${error.message}`;
  else if (selected?.error) helper = `Last read failed: ${selected.error}`;
  else if (selected)
    helper = `Controllers run as ${selected.controllerPrincipalArn}`;

  return (
    <PickerSelect
      field={props}
      defaultId="capa-management-cluster"
      defaultLabel="Management cluster"
      testId="capa-management-cluster-picker"
      loading={loading}
      error={error}
      value={formData ?? ''}
      onChange={v => onChange(v || undefined)}
      helperText={
        <Typography variant="caption" component="span">
          {helper}
        </Typography>
      }
      placeholder="Select a management cluster"
    >
      {items.map(m => {
        const notLive = requireLive && m.source.type !== 'kubernetes';
        return (
          <option key={m.name} value={m.name} disabled={notLive}>
            {describe(m)}
            {notLive ? ' — read from GitOps manifests: cannot apply to it' : ''}
          </option>
        );
      })}
    </PickerSelect>
  );
}
