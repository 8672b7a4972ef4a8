import { parseFleetConfig } from './loadFleet';

const mgmt = (extra: Record<string, unknown>) => ({
  managementClusters: [{ name: 'mgmt-a', accountId: '111111111111', ...extra }],
});

describe('parseFleetConfig: a management cluster source provided by a module (`source:`)', () => {
  it('keeps the source block, type and options', () => {
    const { config, problems } = parseFleetConfig(
      mgmt({ source: { type: 'argocd', application: 'fleet' } }),
      'fleet.yaml',
    );
    expect(problems).toEqual([]);
    expect(config.managementClusters[0].source).toEqual({
      type: 'argocd',
      application: 'fleet',
    });
  });

  it.each([
    [{ source: 'argocd' }, 'managementClusters[0].source: must be a mapping'],
    [
      { source: { application: 'fleet' } },
      'managementClusters[0].source.type: must name the type of source a backend module provides, got undefined',
    ],
    [
      { source: { type: '' } },
      'managementClusters[0].source.type: must name the type of source a backend module provides, got ""',
    ],
  ])('refuses %j, naming the field', (extra, message) => {
    const { config, problems } = parseFleetConfig(mgmt(extra), 'fleet.yaml');
    expect(problems.map(p => p.message)).toContain(message);
    expect(config.managementClusters[0].source).toBeUndefined();
  });

  it('warns when more than one source of objects is named, saying which is used', () => {
    const { problems } = parseFleetConfig(
      mgmt({ manifests: 'clusters/a', source: { type: 'argocd' } }),
      'fleet.yaml',
    );
    expect(problems).toEqual([
      {
        source: 'fleet.yaml',
        message:
          'managementClusters[0]: names manifests and source: give one source of objects (manifests is used)',
        severity: 'warning',
      },
    ]);
  });
});
