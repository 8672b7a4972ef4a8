import { ConfigReader } from '@backstage/config';
import { checkCapaConfig, describeSchemaErrors } from './checkCapaConfig';

// The keys and their types are the ones the packages' config.d.ts files declare. From the sources the schemas
// are TypeScript, so the check is asked to compile them (`typescriptSchemas`).
const check = (data: object) =>
  checkCapaConfig(new ConfigReader(data), { typescriptSchemas: true });

describe('checkCapaConfig', () => {
  jest.setTimeout(60_000); // the first check compiles the config.d.ts files

  it('accepts the keys the capa packages declare', async () => {
    await expect(
      check({
        capa: {
          fleetFile: 'fleet.yaml',
          refresh: { frequency: { minutes: 5 } },
          verification: { frequency: { minutes: 30 }, concurrency: 4 },
          managementClusters: [{ name: 'm', accountId: '111111111111' }],
          catalog: { defaultOwner: 'group:default/platform' },
        },
        backend: { anything: 'not capa: not checked here' },
      }),
    ).resolves.toBeUndefined();
  });

  it('names an unknown key by its full path', async () => {
    const result = check({
      capa: {
        refersh: { frequency: { minutes: 5 } },
        managementClusters: [{ name: 'm', accountId: '1', kubeconfig: 'x' }],
      },
    });
    await expect(result).rejects.toThrow(/unknown key capa\.refersh/);
    await expect(result).rejects.toThrow(
      /unknown key capa\.managementClusters\[0\]\.kubeconfig/,
    );
    await expect(result).rejects.toMatchObject({ name: 'InputError' });
  });

  it('names a value of the wrong type', async () => {
    // Backstage's schema validation coerces scalars (42 would pass as '42'); 'maybe' is no boolean.
    await expect(
      check({ capa: { liveVerification: 'maybe' } }),
    ).rejects.toThrow(/capa\.liveVerification: must be boolean/);
  });

  it('has nothing to check without a capa block', async () => {
    await expect(check({ app: { title: 'x' } })).resolves.toBeUndefined();
  });

  it('leaves TypeScript schemas (packages run from source) unchecked unless asked', async () => {
    await expect(
      checkCapaConfig(new ConfigReader({ capa: { refersh: {} } })),
    ).resolves.toBeUndefined();
  });
});

describe('describeSchemaErrors', () => {
  it('turns config-loader messages into key paths', () => {
    expect(
      describeSchemaErrors([
        'Config must NOT have additional properties { additionalProperty=bogus } at /capa/accounts/2',
        'Config must be boolean { type=boolean } at /capa/liveVerification',
      ]),
    ).toEqual([
      'unknown key capa.accounts[2].bogus',
      'capa.liveVerification: must be boolean',
    ]);
  });
});
