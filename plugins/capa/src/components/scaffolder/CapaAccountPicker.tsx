import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { useApi, type ApiHolder } from '@backstage/core-plugin-api';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import useAsync from 'react-use/esm/useAsync';
import type {
  AccountsQuery,
  AccountSummary,
} from '@capa-portal/plugin-capa-common';
import { capaApiRef } from '../../api';
import { clusterProblemsText } from '../../lib/format';
import { VerdictChip } from '../VerdictChip';
import { formValue, verdictLabel } from './helpers';
import { PickerSelect } from './PickerSelect';

/** ui:options of {@link CapaAccountPicker}. @public */
export interface CapaAccountPickerUiOptions {
  /** Also refuse `degraded` accounts (default: only accounts CAPA cannot reach cannot be picked). */
  refuseDegraded?: boolean;
  /** Leave management accounts out (tier `management`). Default true. */
  hideManagementAccounts?: boolean;
  /**
   * Form field holding the namespace the cluster will be created in. When it has a value, each account answers
   * for that namespace: it can be picked only when an identity admits the namespace on every link of its chain
   * and reaches the account (`GET /accounts?namespace=`).
   */
  namespaceField?: string;
  /** Form field holding the management cluster: with `namespaceField`, only its identities count. */
  managementClusterField?: string;
}

/** The namespace and management cluster the accounts are asked about, read from the form. */
export function namespaceQuery(
  formData: unknown,
  options?: CapaAccountPickerUiOptions,
): AccountsQuery | undefined {
  const context = { formData };
  const namespace = formValue(context, options?.namespaceField);
  if (!namespace) return undefined;
  return {
    namespace,
    managementCluster: formValue(context, options?.managementClusterField),
  };
}

/**
 * No identity chain into the account works: CAPA cannot reach it for any namespace. An account with no chain at
 * all is not refused here (a template may create its identity).
 */
function unreachable(account: AccountSummary): boolean {
  const chains = account.reachability?.chains;
  if (!chains) return account.verdict === 'broken';
  return chains.length > 0 && chains.every(c => c.verdict === 'broken');
}

function unreachableReason(account: AccountSummary): string {
  const failing = [
    ...new Set((account.reachability?.chains ?? []).flatMap(c => c.failing)),
  ];
  return `CAPA cannot reach this account: every identity chain into it is broken (${
    failing.join(', ') || account.failing.join(', ') || 'a check fails'
  })`;
}

/** Why an account cannot be picked, or undefined. */
export function refusal(
  account: AccountSummary,
  options?: CapaAccountPickerUiOptions,
): string | undefined {
  if (account.allowed && !account.allowed.createCluster) {
    return 'you may not create clusters in this account (permission capa.cluster.create)';
  }
  const forNamespace = account.forNamespace;
  if (forNamespace) {
    if (!forNamespace.usable)
      return `not for namespace ${forNamespace.namespace}: ${forNamespace.message}`;
    if (
      options?.refuseDegraded &&
      forNamespace.identity?.reachability === 'degraded'
    )
      return `${forNamespace.identity.kind}/${forNamespace.identity.name} is degraded`;
    return undefined;
  }
  if (unreachable(account)) return unreachableReason(account);
  if (options?.refuseDegraded && account.verdict === 'degraded') {
    return `trust is degraded (${account.warning.join(', ')})`;
  }
  return undefined;
}

function problems(a: AccountSummary): string {
  const text = clusterProblemsText(a.clusterProblemCount);
  return text ? ` ${text}` : '';
}

function label(a: AccountSummary): string {
  return `${a.name ?? a.accountId} (${a.accountId})${
    a.tier ? ` · ${a.tier}` : ''
  } · ${verdictLabel(a.verdict)}${problems(a)}`;
}

/**
 * Scaffolder field: an AWS account of the fleet with its verdict (reachability) and cluster-problem count. The
 * list holds the accounts the user may read (`capa.account.read`); those the user may not create clusters in
 * (`capa.cluster.create`), those CAPA cannot reach along any chain, and, once the form's namespace is known
 * (`namespaceField`), those where no identity admits that namespace and reaches the account are listed but cannot
 * be picked, and say why. The value is the 12-digit account id.
 *
 * @public
 */
export function CapaAccountPicker(
  props: FieldExtensionComponentProps<string, CapaAccountPickerUiOptions>,
) {
  const { formData, onChange, schema, uiSchema } = props;
  const options = uiSchema?.['ui:options'] ?? {};
  const api = useApi(capaApiRef);
  const query = namespaceQuery(
    (props.formContext as { formData?: unknown } | undefined)?.formData,
    options,
  );
  const { value, loading, error } = useAsync(
    () => api.getAccounts(query),
    [api, query?.namespace, query?.managementCluster],
  );
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
              `Only accounts you may see are listed; those you may not create clusters in, or ${
                query
                  ? `where no identity admits namespace ${query.namespace} and reaches the account`
                  : 'that CAPA cannot reach'
              }, cannot be picked`
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
            clusters{problems(selected)}
            {selected.warning.length
              ? ` · warnings: ${selected.warning.join(', ')}`
              : ''}
          </Typography>
        </Box>
      )}
      {selected?.forNamespace?.usable && (
        <Typography
          variant="caption"
          color="textSecondary"
          display="block"
          data-testid="capa-account-for-namespace"
        >
          {selected.forNamespace.message}
        </Typography>
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

/**
 * Check at submit time: the account is known, and CAPA can reach it (for the form's namespace, when the picker
 * has a `namespaceField` with a value). @public
 */
export async function capaAccountPickerValidation(
  value: string,
  validation: { addError(message: string): void },
  context: {
    apiHolder: ApiHolder;
    formData?: unknown;
    uiSchema?: { 'ui:options'?: CapaAccountPickerUiOptions };
  },
): Promise<void> {
  if (!value) return;
  const api = context.apiHolder.get(capaApiRef);
  if (!api) return;
  const query = namespaceQuery(
    context.formData,
    context.uiSchema?.['ui:options'],
  );
  const account = (await api.getAccounts(query)).items.find(
    a => a.accountId === value,
  );
  if (!account) {
    validation.addError(`account ${value} is not in the fleet`);
    return;
  }
  const why = refusal(account, context.uiSchema?.['ui:options']);
  if (why) validation.addError(`${account.name ?? value}: ${why}`);
}
