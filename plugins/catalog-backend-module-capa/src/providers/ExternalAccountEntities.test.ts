import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { demoReport } from '../__testUtils__/entities';
import { CapaEntityProvider } from './CapaEntityProvider';
import {
  CatalogExternalAccountEntities,
  ExternalAccountEntitySource,
} from './ExternalAccountEntities';

/** A cloud-account entity as @backstage/plugin-catalog-backend-module-aws's Organizations processor emits it. */
function awsModuleAccount(name: string, accountId: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        'amazonaws.com/account-id': accountId,
        'amazonaws.com/arn': `arn:aws:organizations::999999999999:account/o-abc/${accountId}`,
        'backstage.io/managed-by-origin-location': 'aws-cloud-accounts:',
      },
    },
    spec: { type: 'cloud-account', owner: 'unknown' },
  };
}

describe('CatalogExternalAccountEntities', () => {
  it('finds the cloud-account entities other providers emit, by account id, ignoring capa’s own', async () => {
    const capaOwn = awsModuleAccount('aws-333333333333', '333333333333');
    capaOwn.metadata.annotations!['backstage.io/managed-by-origin-location'] =
      'capa:accounts';
    const notAnAccount: Entity = {
      ...awsModuleAccount('billing', '444444444444'),
      kind: 'Component',
      spec: { type: 'service', owner: 'x', lifecycle: 'production' },
    };
    const catalog = catalogServiceMock({
      entities: [
        awsModuleAccount('staging', '222222222222'),
        awsModuleAccount('staging-legacy-name', '222222222222'),
        capaOwn,
        notAnAccount,
      ],
    });
    const external = new CatalogExternalAccountEntities({
      catalog,
      auth: mockServices.auth(),
    });
    // Two foreign entities for one account: the first by ref, stable across cycles.
    expect(await external.accountRefs()).toEqual(
      new Map([['222222222222', 'resource:default/staging']]),
    );
  });

  it('asks the catalog once per cycle for every provider, and again after a failure', async () => {
    const catalog = catalogServiceMock.mock({
      getEntities: jest
        .fn()
        .mockRejectedValueOnce(new Error('catalog unavailable'))
        .mockResolvedValue({ items: [] }),
    });
    let now = 0;
    const external = new CatalogExternalAccountEntities({
      catalog,
      auth: mockServices.auth(),
      now: () => now,
    });
    await expect(external.accountRefs()).rejects.toThrow('catalog unavailable');
    await external.accountRefs();
    await external.accountRefs();
    expect(catalog.getEntities).toHaveBeenCalledTimes(2);
    now = 10_000;
    await external.accountRefs();
    expect(catalog.getEntities).toHaveBeenCalledTimes(3);
  });
});

describe('capa.catalog.accountEntities', () => {
  const foreign: ExternalAccountEntitySource = {
    accountRefs: async () =>
      new Map([['222222222222', 'resource:default/staging']]),
  };

  async function emitted(
    scope: any,
    mode: 'emit' | 'attach' | 'none',
    external = foreign,
  ) {
    const report = await demoReport();
    const provider = CapaEntityProvider.create({
      scope,
      source: { fleetReport: async () => report },
      defaults: { owner: 'unknown' },
      logger: mockServices.logger.mock(),
      taskRunner: { run: async () => {} },
      accountEntities: { mode, external },
    });
    const connection = { applyMutation: jest.fn(), refresh: jest.fn() };
    await provider.connect(connection);
    const count = await provider.refresh();
    const entities: Entity[] =
      connection.applyMutation.mock.calls[0]?.[0].entities.map(
        (e: any) => e.entity,
      ) ?? [];
    return { count, entities, report };
  }

  const accountIds = (entities: Entity[]) =>
    entities.map(e => e.metadata.annotations!['amazonaws.com/account-id']);

  it('attach: emits no entity for an account another provider has, and relates to that one', async () => {
    const accounts = await emitted({ type: 'accounts' }, 'attach');
    expect(accountIds(accounts.entities)).not.toContain('222222222222');
    expect(accounts.entities).toHaveLength(accounts.report.accounts.length - 1);

    const mgmt = await emitted(
      { type: 'management-cluster', name: 'mgmt-eu' },
      'attach',
    );
    const checkout = mgmt.entities.find(
      e => e.metadata.title === 'checkout-staging',
    )!;
    expect(checkout.spec!.dependsOn).toContain('resource:default/staging');
    expect(checkout.spec!.dependsOn).not.toContain(
      'resource:default/aws-222222222222',
    );
    // Accounts nobody else has keep capa's entity and relations.
    const live = mgmt.entities.find(
      e => e.metadata.title === 'payments-prod-euw1',
    );
    expect(live?.spec!.dependsOn).toContain(
      'resource:default/aws-333333333333',
    );
  });

  it('none: emits no account entities (an empty full mutation removes earlier ones)', async () => {
    const { count, entities } = await emitted({ type: 'accounts' }, 'none');
    expect(count).toBe(0);
    expect(entities).toEqual([]);
  });

  it('emit (the default) does not ask the catalog', async () => {
    const ask = jest.fn(foreign.accountRefs);
    const { entities, report } = await emitted({ type: 'accounts' }, 'emit', {
      accountRefs: ask,
    });
    expect(entities).toHaveLength(report.accounts.length);
    expect(ask).not.toHaveBeenCalled();
  });

  it('applies nothing when the catalog cannot be asked, so no second entity appears for an account', async () => {
    const { count } = await emitted({ type: 'accounts' }, 'attach', {
      accountRefs: async () => {
        throw new Error('catalog unavailable');
      },
    });
    expect(count).toBeUndefined();
  });
});
