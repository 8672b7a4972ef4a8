import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import type {
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
): AccountSummary => ({
  verdict: 'configured',
  sources: ['config'],
  managementClusters: [],
  clusterCount: 1,
  identityCount: 1,
  failing: [],
  warning: [],
  ...a,
});

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
      name: /ml-sandbox \(444444444444\).*Broken — cannot be picked: trust is broken \(target-trust\)/,
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
    ).toHaveTextContent('ml-sandbox (444444444444): trust is broken');

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
      expect.stringContaining('ml-sandbox: trust is broken'),
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
