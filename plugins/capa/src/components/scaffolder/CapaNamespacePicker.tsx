import { useState } from 'react';
import Box from '@material-ui/core/Box';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useApi } from '@backstage/core-plugin-api';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import useAsync from 'react-use/esm/useAsync';
import { capaApiRef } from '../../api';
import {
  DNS1123_LABEL,
  formValue,
  namespaceChoices,
  verdictLabel,
} from './helpers';
import { PickerSelect } from './PickerSelect';

/** ui:options of {@link CapaNamespacePicker}. @public */
export interface CapaNamespacePickerUiOptions {
  /** Form field holding the account id. Default `accountId`. */
  accountField?: string;
  /** Form field holding the management cluster. Default `managementCluster`. */
  managementClusterField?: string;
  /** Offer a new namespace (which then needs an identity created). Default true. */
  allowNew?: boolean;
}

const NEW = '__capa_new_namespace__';

/**
 * Scaffolder field: a namespace of the management cluster that an identity of the chosen account admits
 * (every link of its chain, CAPA's allowedNamespaces rules), or a new one, which then needs an
 * AWSClusterRoleIdentity created (the create-workload-cluster template does it with `createIfMissing`).
 *
 * @public
 */
export function CapaNamespacePicker(
  props: FieldExtensionComponentProps<string, CapaNamespacePickerUiOptions>,
) {
  const { formData, onChange, schema, uiSchema, formContext } = props;
  const options = uiSchema?.['ui:options'] ?? {};
  const accountId = formValue(formContext, options.accountField ?? 'accountId');
  const managementCluster = formValue(
    formContext,
    options.managementClusterField ?? 'managementCluster',
  );
  const allowNew = options.allowNew !== false;
  const api = useApi(capaApiRef);
  const {
    value: trust,
    loading,
    error,
  } = useAsync(
    async () => (accountId ? api.getAccountTrust(accountId) : undefined),
    [api, accountId],
  );
  const choices = trust
    ? namespaceChoices(trust, managementCluster)
    : { options: [], admitAll: [] };
  const known = choices.options.find(o => o.namespace === formData);
  const [typingNew, setTypingNew] = useState(false);
  const isNew = typingNew || (!!formData && !known);

  if (!accountId) {
    return (
      <Typography
        variant="body2"
        color="textSecondary"
        data-testid="capa-namespace-needs-account"
      >
        {schema.title ?? 'Namespace'}: pick an account first.
      </Typography>
    );
  }

  const newInvalid =
    isNew &&
    !!formData &&
    (formData.length > 63 || !DNS1123_LABEL.test(formData));
  let newHelp = '';
  if (isNew) {
    newHelp = choices.admitAll.length
      ? `${choices.admitAll
          .map(i => `${i.kind}/${i.name}`)
          .join(
            ', ',
          )} admits every namespace, so a new one works without a new identity.`
      : 'No identity of this account admits a new namespace: the template will create an AWSClusterRoleIdentity for it (it must be applied before the cluster).';
  }

  return (
    <Box>
      <PickerSelect
        field={props}
        defaultId="capa-namespace"
        defaultLabel="Namespace"
        testId="capa-namespace-picker"
        loading={loading}
        error={error}
        value={isNew ? NEW : formData ?? ''}
        onChange={v => {
          if (v === NEW) {
            setTypingNew(true);
            onChange(undefined);
          } else {
            setTypingNew(false);
            onChange(v || undefined);
          }
        }}
        helperText={
          error
            ? `Could not load the trust report of ${accountId}: ${error.message}`
            : schema.description ??
              `Namespaces whose identity chain admits them for account ${accountId}${
                managementCluster ? ` on ${managementCluster}` : ''
              }`
        }
        placeholder="Select a namespace"
      >
        {choices.options.map(o => (
          <option key={o.namespace} value={o.namespace}>
            {o.namespace} · via{' '}
            {o.identities
              .map(i => `${i.kind}/${i.name} (${verdictLabel(i.verdict)})`)
              .join(', ')}
            {o.clusterCount ? ` · ${o.clusterCount} clusters` : ''}
          </option>
        ))}
        {allowNew && <option value={NEW}>A new namespace…</option>}
      </PickerSelect>
      {isNew && (
        <TextField
          fullWidth
          margin="dense"
          label="New namespace"
          value={formData ?? ''}
          onChange={e => onChange(e.target.value || undefined)}
          error={newInvalid}
          helperText={
            newInvalid
              ? 'Lowercase letters, digits and -, at most 63 characters'
              : newHelp
          }
          inputProps={{ 'data-testid': 'capa-namespace-new' }}
        />
      )}
      {known && (
        <Typography
          variant="caption"
          color="textSecondary"
          data-testid="capa-namespace-identity"
        >
          Will use {known.identities[0].kind}/{known.identities[0].name} (
          {verdictLabel(known.identities[0].verdict)}).
        </Typography>
      )}
      {!loading &&
        !error &&
        trust &&
        choices.options.length === 0 &&
        !isNew && (
          <Typography variant="caption" color="textSecondary" display="block">
            No identity of account {accountId}
            {managementCluster ? ` on ${managementCluster}` : ''} admits any
            namespace yet.
          </Typography>
        )}
    </Box>
  );
}
