import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import type {
  AccountsQuery,
  AccountSummary,
  AccountTrustResponse,
  IdentityReport,
  ManagementClusterStatus,
} from '@capa-portal/plugin-capa-common';
import { capaApiRef, type CapaApi } from '../../api';
import {
  CapaAccountPicker,
  capaAccountPickerValidation,
} from './CapaAccountPicker';
import { CapaManagementClusterPicker } from './CapaManagementClusterPicker';
import { CapaNamespacePicker } from './CapaNamespacePicker';
import { namespaceChoices } from './helpers';

const account = (
  a: Partial<AccountSummary> & { accountId: string },
): AccountSummary => {
  const verdict = a.verdict ?? 'configured';
  return {
    verdict,
    // One chain into the account, as reachable as the account.
    reachability: {
      verdict,
      chains: [
        {
          managementCluster: 'mgmt-eu',
          kind: 'AWSClusterRoleIdentity',
          name: `${a.name ?? a.accountId}-identity`,
          verdict,
          failing: a.failing ?? [],
          warning: a.warning ?? [],
          clusterCount: 1,
        },
      ],
    },
    clusterProblemCount: 0,
    sources: ['config'],
    managementClusters: [],
    clusterCount: 1,
    identityCount: 1,
    failing: [],
    warning: [],
    ...a,
  };
};

const accounts = [
  account({ accountId: '222222222222', name: 'staging', tier: 'staging' }),
  account({
    accountId: '444444444444',
    name: 'ml-sandbox',
    tier: 'sandbox',
    verdict: 'broken',
    failing: ['target-trust'],
  }),
  account({
    accountId: '555555555555',
    name: 'legacy-batch',
    verdict: 'degraded',
    warning: ['static-credentials'],
  }),
  account({
    accountId: '111111111111',
    name: 'platform-mgmt-eu',
    tier: 'management',
  }),
];

const roleIdentity = (
  name: string,
  allowedNamespaces: unknown,
  extra: Partial<IdentityReport> = {},
): IdentityReport => ({
  managementCluster: 'mgmt-eu',
  kind: 'AWSClusterRoleIdentity',
  name,
  accountId: '222222222222',
  verdict: 'configured',
  checks: [],
  chain: [
    { kind: 'AWSClusterRoleIdentity', name, allowedNamespaces },
    {
      kind: 'AWSClusterControllerIdentity',
      name: 'default',
      allowedNamespaces: {},
    },
  ],
  usedBy: [],
  apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
  ...extra,
});

const trust = (identities: IdentityReport[]): AccountTrustResponse => ({
  account: { ...accounts[0], checks: [], clusters: [], identities: [] } as any,
  clusters: [],
  identities,
  generatedAt: '2026-01-01T00:00:00Z',
  live: false,
  stale: false,
});

const mgmt = (
  name: string,
  type: 'manifests' | 'kubernetes',
): ManagementClusterStatus => ({
  name,
  accountId: '111111111111',
  controllerPrincipalArn:
    'arn:aws:iam::111111111111:role/controllers.cluster-api-provider-aws.sigs.k8s.io',
  clusterCount: 3,
  identityCount: 2,
  source: {
    type,
    target: type === 'kubernetes' ? 'https://k8s' : 'clusters/mgmt-eu',
  },
  reachable: true,
  stale: false,
  objectCount: 10,
  problemCount: 0,
});

function fakeApi(overrides: Partial<CapaApi> = {}): jest.Mocked<CapaApi> {
  return {
    getManagementClusters: jest.fn(async () => ({
      items: [mgmt('mgmt-eu', 'manifests'), mgmt('mgmt-live', 'kubernetes')],
    })),
    getAccounts: jest.fn(async () => ({ items: accounts, generatedAt: '' })),
    getAccountTrust: jest.fn(async () =>
      trust([
        roleIdentity('staging-identity', { list: ['staging', 'staging-b'] }),
      ]),
    ),
    verifyAccountTrust: jest.fn(),
    getClusters: jest.fn(),
    getCluster: jest.fn(),
    getIdentityChain: jest.fn(),
    ...overrides,
  } as any;
}

function fieldProps(extra: Record<string, unknown> = {}) {
  return {
    formData: undefined,
    onChange: jest.fn(),
    schema: {},
    uiSchema: {},
    rawErrors: [],
    required: true,
    idSchema: { $id: 'root_field' },
    formContext: { formData: {} },
    ...extra,
  } as any;
}

async function render(element: JSX.Element, api: CapaApi) {
  return renderInTestApp(
    <TestApiProvider apis={[[capaApiRef, api]]}>{element}</TestApiProvider>,
  );
}

describe('CapaAccountPicker', () => {
  it('lists accounts with their verdicts; broken ones are disabled and say why', async () => {
    const props = fieldProps();
    await render(<CapaAccountPicker {...props} />, fakeApi());
    const select = await screen.findByTestId('capa-account-picker');
    await waitFor(() => expect(select).not.toBeDisabled());
    const staging = within(select).getByRole('option', {
      name: /staging \(222222222222\) · staging · Configured/,
    });
    expect(staging).not.toBeDisabled();
    const broken = within(select).getByRole('option', {
      name: /ml-sandbox \(444444444444\).*Broken — cannot be picked: CAPA cannot reach this account: every identity chain into it is broken \(target-trust\)/,
    });
    expect(broken).toBeDisabled();
    expect(
      within(select).getByRole('option', { name: /legacy-batch.*Degraded/ }),
    ).not.toBeDisabled();
    // management accounts are not workload targets
    expect(
      within(select).queryByRole('option', { name: /platform-mgmt-eu/ }),
    ).toBeNull();
    expect(
      screen.getByRole('note', { name: 'Accounts that cannot be picked' }),
    ).toHaveTextContent(
      'ml-sandbox (444444444444): CAPA cannot reach this account',
    );

    fireEvent.change(select, { target: { value: '222222222222' } });
    expect(props.onChange).toHaveBeenCalledWith('222222222222');
  });

  it('shows the chosen account with a verdict chip, and can refuse degraded accounts too', async () => {
    await render(
      <CapaAccountPicker
        {...fieldProps({
          formData: '222222222222',
          uiSchema: { 'ui:options': { refuseDegraded: true } },
        })}
      />,
      fakeApi(),
    );
    expect(
      await screen.findByTestId('capa-account-selected'),
    ).toHaveTextContent('Configured');
    expect(
      screen.getByRole('option', {
        name: /legacy-batch.*cannot be picked: trust is degraded/,
      }),
    ).toBeDisabled();
  });

  it('disables the accounts the user may not create clusters in, saying so (capa.cluster.create)', async () => {
    const api = fakeApi({
      getAccounts: jest.fn(async () => ({
        generatedAt: '',
        items: [
          account({
            accountId: '222222222222',
            name: 'staging',
            allowed: { verify: false, createCluster: false },
          }),
          account({
            accountId: '444444444444',
            name: 'ml-sandbox',
            allowed: { verify: true, createCluster: true },
          }),
        ],
      })),
    });
    await render(<CapaAccountPicker {...fieldProps()} />, api);
    const select = await screen.findByTestId('capa-account-picker');
    await waitFor(() => expect(select).not.toBeDisabled());
    expect(
      within(select).getByRole('option', {
        name: /staging.*cannot be picked: you may not create clusters in this account \(permission capa.cluster.create\)/,
      }),
    ).toBeDisabled();
    expect(
      within(select).getByRole('option', { name: /ml-sandbox/ }),
    ).not.toBeDisabled();
    expect(
      screen.getByText(/Only accounts you may see are listed/),
    ).toBeInTheDocument();
    const addError = jest.fn();
    await capaAccountPickerValidation(
      '222222222222',
      { addError },
      { apiHolder: { get: () => api } as any },
    );
    expect(addError).toHaveBeenCalledWith(
      expect.stringContaining('capa.cluster.create'),
    );
  });

  it('validates at submit time that the account is not broken', async () => {
    const api = fakeApi();
    const addError = jest.fn();
    const apiHolder = { get: () => api } as any;
    await capaAccountPickerValidation(
      '444444444444',
      { addError },
      { apiHolder },
    );
    expect(addError).toHaveBeenCalledWith(
      expect.stringContaining('ml-sandbox: CAPA cannot reach this account'),
    );
    addError.mockClear();
    await capaAccountPickerValidation(
      '222222222222',
      { addError },
      { apiHolder },
    );
    expect(addError).not.toHaveBeenCalled();
  });
});

describe('CapaAccountPicker for the namespace the template creates the cluster in', () => {
  // The demo's dev account (121212121212): dev-identity admits namespaces labelled capa-portal.io/environment=dev.
  // dev-payments is labelled dev, dev-experiments is labelled experiments (examples/demo-fleet/README.md).
  const devIdentity = {
    managementCluster: 'mgmt-eu',
    kind: 'AWSClusterRoleIdentity',
    name: 'dev-identity',
    reachability: 'configured' as const,
  };
  const refusedMessage =
    'no identity on mgmt-eu admits namespace dev-experiments for account 121212121212: AWSClusterRoleIdentity/dev-identity: Namespace dev-experiments does not match allowedNamespaces.selector';
  const dev = (query?: AccountsQuery) =>
    account({
      accountId: '121212121212',
      name: 'dev',
      tier: 'development',
      clusterProblemCount: 1,
      failing: ['namespace-allowed'],
      ...(query?.namespace === 'dev-payments'
        ? {
            forNamespace: {
              namespace: 'dev-payments',
              managementCluster: query.managementCluster,
              usable: true,
              identity: { ...devIdentity, admits: 'yes', reasons: [] },
              candidates: [{ ...devIdentity, admits: 'yes', reasons: [] }],
              message:
                'a cluster in namespace dev-payments on mgmt-eu would use AWSClusterRoleIdentity/dev-identity, whose chain admits dev-payments and reaches account 121212121212 (configured)',
            },
          }
        : {}),
      ...(query?.namespace === 'dev-experiments'
        ? {
            forNamespace: {
              namespace: 'dev-experiments',
              managementCluster: query.managementCluster,
              usable: false,
              candidates: [{ ...devIdentity, admits: 'no', reasons: [] }],
              message: refusedMessage,
            },
          }
        : {}),
    });
  const devApi = () =>
    fakeApi({
      getAccounts: jest.fn(async (query?: AccountsQuery) => ({
        items: [dev(query)],
        generatedAt: '',
      })),
    });
  const uiSchema = {
    'ui:options': {
      namespaceField: 'namespace',
      managementClusterField: 'managementCluster',
    },
  };
  const form = (namespace?: string) => ({
    formData: { managementCluster: 'mgmt-eu', namespace },
  });

  it('without a namespace yet, a reachable account with a cluster problem can be picked and shows the count', async () => {
    const api = devApi();
    await render(
      <CapaAccountPicker
        {...fieldProps({ uiSchema, formContext: form(undefined) })}
      />,
      api,
    );
    const select = await screen.findByTestId('capa-account-picker');
    await waitFor(() => expect(select).not.toBeDisabled());
    expect(
      within(select).getByRole('option', {
        name: 'dev (121212121212) · development · Configured with 1 cluster problem',
      }),
    ).not.toBeDisabled();
    expect(api.getAccounts).toHaveBeenCalledWith(undefined);
  });

  it('asks for the form namespace: dev is pickable for dev-payments and says which identity it would use', async () => {
    const api = devApi();
    await render(
      <CapaAccountPicker
        {...fieldProps({
          formData: '121212121212',
          uiSchema,
          formContext: form('dev-payments'),
        })}
      />,
      api,
    );
    const select = await screen.findByTestId('capa-account-picker');
    await waitFor(() => expect(select).not.toBeDisabled());
    expect(api.getAccounts).toHaveBeenCalledWith({
      namespace: 'dev-payments',
      managementCluster: 'mgmt-eu',
    });
    expect(
      within(select).getByRole('option', { name: /^dev \(121212121212\)/ }),
    ).not.toBeDisabled();
    expect(screen.getByTestId('capa-account-for-namespace')).toHaveTextContent(
      'would use AWSClusterRoleIdentity/dev-identity, whose chain admits dev-payments',
    );
  });

  it('refuses dev for dev-experiments with the reason, in the list and at submit time', async () => {
    const api = devApi();
    await render(
      <CapaAccountPicker
        {...fieldProps({ uiSchema, formContext: form('dev-experiments') })}
      />,
      api,
    );
    const select = await screen.findByTestId('capa-account-picker');
    await waitFor(() => expect(select).not.toBeDisabled());
    const option = within(select).getByRole('option', {
      name: /^dev \(121212121212\).*cannot be picked: not for namespace dev-experiments: no identity on mgmt-eu admits namespace dev-experiments/,
    });
    expect(option).toBeDisabled();
    expect(
      screen.getByRole('note', { name: 'Accounts that cannot be picked' }),
    ).toHaveTextContent('does not match allowedNamespaces.selector');

    const addError = jest.fn();
    await capaAccountPickerValidation(
      '121212121212',
      { addError },
      {
        apiHolder: { get: () => api } as any,
        formData: form('dev-experiments').formData,
        uiSchema,
      },
    );
    expect(addError).toHaveBeenCalledWith(
      `dev: not for namespace dev-experiments: ${refusedMessage}`,
    );
    addError.mockClear();
    await capaAccountPickerValidation(
      '121212121212',
      { addError },
      {
        apiHolder: { get: () => api } as any,
        formData: form('dev-payments').formData,
        uiSchema,
      },
    );
    expect(addError).not.toHaveBeenCalled();
  });

  it('without a namespace, refuses only an account no chain reaches: one broken chain beside a working one is pickable', async () => {
    const mixed = account({ accountId: '222222222222', name: 'staging' });
    mixed.verdict = 'broken';
    mixed.reachability = {
      verdict: 'broken',
      chains: [
        { ...mixed.reachability.chains[0], verdict: 'configured' },
        {
          ...mixed.reachability.chains[0],
          name: 'stale-identity',
          verdict: 'broken',
          failing: ['target-trust'],
        },
      ],
    };
    const api = fakeApi({
      getAccounts: jest.fn(async () => ({ items: [mixed], generatedAt: '' })),
    });
    await render(<CapaAccountPicker {...fieldProps()} />, api);
    const select = await screen.findByTestId('capa-account-picker');
    await waitFor(() => expect(select).not.toBeDisabled());
    expect(
      within(select).getByRole('option', { name: /^staging/ }),
    ).not.toBeDisabled();
  });
});

describe('CapaNamespacePicker', () => {
  it('asks for an account first', async () => {
    await render(<CapaNamespacePicker {...fieldProps()} />, fakeApi());
    expect(
      screen.getByTestId('capa-namespace-needs-account'),
    ).toHaveTextContent('pick an account first');
  });

  it('offers the namespaces the identity chain admits for the chosen account and management cluster', async () => {
    const api = fakeApi();
    const props = fieldProps({
      formContext: {
        formData: { accountId: '222222222222', managementCluster: 'mgmt-eu' },
      },
    });
    await render(<CapaNamespacePicker {...props} />, api);
    const select = await screen.findByTestId('capa-namespace-picker');
    await waitFor(() =>
      expect(within(select).getAllByRole('option')).toHaveLength(4),
    );
    expect(api.getAccountTrust).toHaveBeenCalledWith('222222222222');
    expect(
      within(select).getByRole('option', {
        name: /^staging · via AWSClusterRoleIdentity\/staging-identity \(Configured\)/,
      }),
    ).toBeInTheDocument();
    expect(
      within(select).getByRole('option', { name: /^staging-b · via/ }),
    ).toBeInTheDocument();
    fireEvent.change(select, { target: { value: 'staging' } });
    expect(props.onChange).toHaveBeenCalledWith('staging');
  });

  it('a new namespace says that an identity will be created for it', async () => {
    const props = fieldProps({
      formData: 'payments',
      formContext: { formData: { accountId: '222222222222' } },
    });
    await render(<CapaNamespacePicker {...props} />, fakeApi());
    const input = await screen.findByTestId('capa-namespace-new');
    expect(input).toHaveValue('payments');
    expect(
      screen.getByText(
        /the template will create an AWSClusterRoleIdentity for it/,
      ),
    ).toBeInTheDocument();
  });

  it('a new namespace needs no new identity when one admits every namespace', async () => {
    const api = fakeApi({
      getAccountTrust: jest.fn(async () => trust([roleIdentity('open', {})])),
    });
    await render(
      <CapaNamespacePicker
        {...fieldProps({
          formData: 'anything',
          formContext: { formData: { accountId: '222222222222' } },
        })}
      />,
      api,
    );
    expect(
      await screen.findByText(
        /AWSClusterRoleIdentity\/open admits every namespace/,
      ),
    ).toBeInTheDocument();
  });

  it('uses CAPA semantics: an empty list or a chain link that refuses means no namespace', () => {
    const refusedBySource = roleIdentity('x', { list: ['a'] });
    refusedBySource.chain[1].allowedNamespaces = { list: ['b'] };
    expect(
      namespaceChoices(
        trust([roleIdentity('empty', { list: [] }), refusedBySource]),
      ).options,
    ).toEqual([]);
    expect(
      namespaceChoices(trust([roleIdentity('unset', null)])).admitAll,
    ).toEqual([]);
  });
});

describe('CapaManagementClusterPicker', () => {
  it('lists management clusters with their source; requireLive disables GitOps-only ones', async () => {
    const props = fieldProps({
      uiSchema: { 'ui:options': { requireLive: true } },
    });
    await render(<CapaManagementClusterPicker {...props} />, fakeApi());
    const select = await screen.findByTestId('capa-management-cluster-picker');
    await waitFor(() =>
      expect(within(select).getAllByRole('option')).toHaveLength(3),
    );
    expect(
      within(select).getByRole('option', {
        name: /mgmt-eu .*GitOps manifests.*cannot apply/,
      }),
    ).toBeDisabled();
    expect(
      within(select).getByRole('option', { name: /mgmt-live .*live cluster/ }),
    ).not.toBeDisabled();
    fireEvent.change(select, { target: { value: 'mgmt-live' } });
    expect(props.onChange).toHaveBeenCalledWith('mgmt-live');
  });
});
