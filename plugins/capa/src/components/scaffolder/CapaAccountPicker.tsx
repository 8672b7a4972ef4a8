import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { useApi, type ApiHolder } from '@backstage/core-plugin-api';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import useAsync from 'react-use/esm/useAsync';
import type { AccountSummary } from '@capa-portal/plugin-capa-common';
import { capaApiRef } from '../../api';
import { VerdictChip } from '../VerdictChip';
import { verdictLabel } from './helpers';
import { PickerSelect } from './PickerSelect';

/** ui:options of {@link CapaAccountPicker}. @public */
export interface CapaAccountPickerUiOptions {
  /** Also refuse `degraded` accounts (default: only `broken` ones cannot be picked). */
  refuseDegraded?: boolean;
  /** Leave management accounts out (tier `management`). Default true. */
  hideManagementAccounts?: boolean;
}

/** Why an account cannot be picked, or undefined. */
export function refusal(
  account: AccountSummary,
  options?: CapaAccountPickerUiOptions,
): string | undefined {
  if (account.allowed && !account.allowed.createCluster) {
    return 'you may not create clusters in this account (permission capa.cluster.create)';
  }
  if (account.verdict === 'broken') {
    return `trust is broken (${
      account.failing.join(', ') || 'a check fails'
    }): CAPA cannot use this account until it is fixed`;
  }
  if (options?.refuseDegraded && account.verdict === 'degraded') {
    return `trust is degraded (${account.warning.join(', ')})`;
  }
  return undefined;
}

function label(a: AccountSummary): string {
  return `${a.name ?? a.accountId} (${a.accountId})${
    a.tier ? ` · ${a.tier}` : ''
  } · ${verdictLabel(a.verdict)}`;
}

/**
 * Scaffolder field: an AWS account of the fleet with its trust verdict. The list holds the accounts the user
 * may read (`capa.account.read`); those the user may not create clusters in (`capa.cluster.create`) and broken
 * ones are listed but cannot be picked, and say why. The value is the 12-digit account id.
 *
 * @public
 */
export function CapaAccountPicker(
  props: FieldExtensionComponentProps<string, CapaAccountPickerUiOptions>,
) {
  const { formData, onChange, schema, uiSchema } = props;
  const options = uiSchema?.['ui:options'] ?? {};
  const api = useApi(capaApiRef);
  const { value, loading, error } = useAsync(() => api.getAccounts(), [api]);
  const accounts = (value?.items ?? []).filter(
    a => options.hideManagementAccounts === false || a.tier !== 'management',
  );
  const selected = accounts.find(a => a.accountId === formData);
  const refused = accounts.filter(a => refusal(a, options));

  return (
    <Box>
      <PickerSelect
        field={props}
        defaultId="capa-account"
        defaultLabel="AWS account"
        testId="capa-account-picker"
        loading={loading}
        error={error}
        value={formData ?? ''}
        onChange={v => onChange(v || undefined)}
        helperText={
          error
            ? `Could not load the accounts: ${error.message}`
            : schema.description ??
              'Only accounts you may see are listed; those you may not create clusters in, or whose trust is broken, cannot be picked'
        }
        placeholder="Select an account"
      >
        {accounts.map(a => {
          const why = refusal(a, options);
          return (
            <option
              key={a.accountId}
              value={a.accountId}
              disabled={!!why}
              title={why}
            >
              {label(a)}
              {why ? ` — cannot be picked: ${why}` : ''}
            </option>
          );
        })}
      </PickerSelect>
      {selected && (
        <Box
          display="flex"
          alignItems="center"
          style={{ gap: 8 }}
          data-testid="capa-account-selected"
        >
          <VerdictChip verdict={selected.verdict} />
          <Typography variant="body2">
            {selected.identityCount} identities, {selected.clusterCount}{' '}
            clusters
            {selected.warning.length
              ? ` · warnings: ${selected.warning.join(', ')}`
              : ''}
          </Typography>
        </Box>
      )}
      {refused.length > 0 && (
        <Box mt={1} role="note" aria-label="Accounts that cannot be picked">
          {refused.map(a => (
            <Typography
              key={a.accountId}
              variant="caption"
              display="block"
              color="textSecondary"
            >
              {a.name ?? a.accountId} ({a.accountId}): {refusal(a, options)}
            </Typography>
          ))}
        </Box>
      )}
    </Box>
  );
}

/** Server-independent check at submit time: the account is known and its trust is not broken. @public */
export async function capaAccountPickerValidation(
  value: string,
  validation: { addError(message: string): void },
  context: {
    apiHolder: ApiHolder;
    uiSchema?: { 'ui:options'?: CapaAccountPickerUiOptions };
  },
): Promise<void> {
  if (!value) return;
  const api = context.apiHolder.get(capaApiRef);
  if (!api) return;
  const account = (await api.getAccounts()).items.find(
    a => a.accountId === value,
  );
  if (!account) {
    validation.addError(`account ${value} is not in the fleet`);
    return;
  }
  const why = refusal(account, context.uiSchema?.['ui:options']);
  if (why) validation.addError(`${account.name ?? value}: ${why}`);
}
