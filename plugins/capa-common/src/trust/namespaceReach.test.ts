/*
 * "A cluster in namespace N would use identity I": CAPA's buildProvidersForRef (pkg/cloud/scope/session.go) checks
 * N against allowedNamespaces of every identity of the chain, in the order of model/allowedNamespaces.ts, then
 * assumes the chain. Expected values follow those rules, not the code under test.
 */
import type { FleetInput } from '../types';
import { evaluateFleet } from './engine';
import { namespaceReach } from './namespaceReach';
import {
  awsCluster,
  controllerIdentity,
  controllersArn,
  fleet,
  LIVE,
  roleIdentity,
  STAGING,
  targetIamConfig,
} from '../__testUtils__/fixtures';

const NOW = { now: new Date('2024-01-01T00:00:00Z') };
const identitiesOf = (input: FleetInput) =>
  evaluateFleet(input, undefined, NOW).identities;
const DEV_SELECTOR = {
  selector: { matchLabels: { 'capa-portal.io/environment': 'dev' } },
};
const devFleet = (extra: Record<string, unknown>[] = []) =>
  fleet([
    controllerIdentity(),
    roleIdentity('dev', controllersArn(STAGING), {
      allowedNamespaces: DEV_SELECTOR,
    }),
    ...(extra as never[]),
  ]);
const labelsOf =
  (labels: Record<string, Record<string, string>>, ns: string) => () =>
    labels[ns];

describe('namespaceReach', () => {
  const identities = identitiesOf(devFleet());
  const LABELS = {
    'dev-payments': { 'capa-portal.io/environment': 'dev' },
    'dev-experiments': { 'capa-portal.io/environment': 'experiments' },
  };

  it('a namespace whose labels match the selector is usable through that identity', () => {
    const r = namespaceReach(STAGING, identities, 'dev-payments', {
      managementCluster: 'mgmt-eu',
      namespaceLabels: labelsOf(LABELS, 'dev-payments'),
    });
    expect(r.usable).toBe(true);
    expect(r.identity).toMatchObject({
      kind: 'AWSClusterRoleIdentity',
      name: 'dev',
      admits: 'yes',
      reachability: 'configured',
    });
    expect(r.message).toBe(
      `a cluster in namespace dev-payments on mgmt-eu would use AWSClusterRoleIdentity/dev, whose chain admits dev-payments and reaches account ${STAGING} (configured)`,
    );
  });

  it('a namespace whose labels do not match is refused, with the selector as the reason', () => {
    const r = namespaceReach(STAGING, identities, 'dev-experiments', {
      managementCluster: 'mgmt-eu',
      namespaceLabels: labelsOf(LABELS, 'dev-experiments'),
    });
    expect(r.usable).toBe(false);
    expect(r.identity).toBeUndefined();
    expect(r.candidates).toEqual([
      expect.objectContaining({ name: 'dev', admits: 'no' }),
    ]);
    expect(r.message).toContain(
      'no identity on mgmt-eu admits namespace dev-experiments',
    );
    expect(r.message).toContain('AWSClusterRoleIdentity/dev:');
    expect(r.message).toContain('selector');
    // The controller link admits every namespace ({}); only the refusing link is named.
    expect(r.message).not.toContain('AWSClusterControllerIdentity/default:');
  });

  it('without the Namespace labels a selector leaves it open (unknown), and the answer says so', () => {
    const r = namespaceReach(STAGING, identities, 'dev-new', {
      managementCluster: 'mgmt-eu',
    });
    expect(r.usable).toBe(true);
    expect(r.identity).toMatchObject({ name: 'dev', admits: 'unknown' });
    expect(r.message).toContain("if the Namespace's labels match");
  });

  it('every link counts: a source identity with allowedNamespaces unset (CAPA rule 1: deny) refuses the chain', () => {
    const ids = identitiesOf(
      fleet([
        controllerIdentity({}),
        roleIdentity('staging', controllersArn(STAGING), {
          allowedNamespaces: { list: ['staging'] },
        }),
      ]),
    );
    const r = namespaceReach(STAGING, ids, 'staging');
    expect(r.usable).toBe(false);
    expect(r.message).toContain('AWSClusterControllerIdentity/default');
    expect(r.message).toContain('allowedNamespaces is not set');
  });

  it('an identity that admits the namespace but cannot reach the account is not usable, and says why', () => {
    const ids = identitiesOf({
      ...fleet([
        controllerIdentity(),
        roleIdentity('staging', controllersArn(STAGING), {
          allowedNamespaces: { list: ['staging'] },
        }),
        ...awsCluster('staging', 'web', {
          kind: 'AWSClusterRoleIdentity',
          name: 'staging',
        }),
      ]),
      accounts: [
        {
          accountId: STAGING,
          iamConfiguration: targetIamConfig(controllersArn(LIVE)),
        },
      ],
    });
    const r = namespaceReach(STAGING, ids, 'staging');
    expect(r.usable).toBe(false);
    expect(r.candidates[0]).toMatchObject({
      admits: 'yes',
      reachability: 'broken',
    });
    expect(r.message).toContain(
      `AWSClusterRoleIdentity/staging admits staging but cannot reach account ${STAGING} (target-trust:`,
    );
  });

  it('prefers an identity that admits the namespace over one that does not, whatever their order', () => {
    const ids = identitiesOf(
      fleet([
        controllerIdentity(),
        roleIdentity('a-prod-only', controllersArn(STAGING), {
          allowedNamespaces: { list: ['prod'] },
        }),
        roleIdentity('z-staging', controllersArn(STAGING), {
          allowedNamespaces: { list: ['staging'] },
        }),
      ]),
    );
    const r = namespaceReach(STAGING, ids, 'staging');
    expect(r.identity?.name).toBe('z-staging');
    expect(r.candidates.map(c => `${c.name}:${c.admits}`)).toEqual([
      'z-staging:yes',
      'a-prod-only:no',
    ]);
  });

  it('an account no identity targets (on that management cluster) is refused', () => {
    expect(
      namespaceReach(LIVE, identities, 'dev-payments', {
        managementCluster: 'mgmt-eu',
      }),
    ).toMatchObject({
      usable: false,
      candidates: [],
      message: `no identity on mgmt-eu targets account ${LIVE}`,
    });
    expect(
      namespaceReach(STAGING, identities, 'dev-payments', {
        managementCluster: 'mgmt-us',
      }).usable,
    ).toBe(false);
  });
});
