import type { Check, ClusterReport, KubeObject } from '../types';
import {
  capaConditionsForCluster,
  capaConditionsReport,
  lastChangeOf,
  readCapaConditions,
} from '.';

const T0 = '2026-01-01T10:00:00Z';
const T1 = '2026-01-02T10:00:00Z';

/** An AWSCluster as CAPA v2.11 writes its status (CAPI v1beta1-style conditions, with severity). */
function awsCluster(
  status: Record<string, unknown>,
  metadata: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
    kind: 'AWSCluster',
    metadata: { name: 'web', namespace: 'staging', ...metadata },
    spec: { identityRef: { kind: 'AWSClusterRoleIdentity', name: 'staging' } },
    status,
  } as KubeObject;
}

const usage = (status: string, extra: Record<string, unknown> = {}) => ({
  type: 'PrincipalUsageAllowed',
  status,
  lastTransitionTime: T1,
  ...extra,
});
const credential = (status: string, extra: Record<string, unknown> = {}) => ({
  type: 'PrincipalCredentialRetrieved',
  status,
  lastTransitionTime: T1,
  ...extra,
});
const failing: Check[] = [
  {
    id: 'target-trust',
    status: 'fail',
    message: 'the trust policy does not allow the principal',
  } as Check,
];
const passing: Check[] = [
  { id: 'target-trust', status: 'pass', message: '' } as Check,
];

describe('readCapaConditions', () => {
  it('reads status.conditions, status.v1beta2.conditions and status.deprecated.v1beta1.conditions; the v1beta2 one wins', () => {
    const conditions = readCapaConditions(
      awsCluster({
        conditions: [
          {
            type: 'VpcReady',
            status: 'False',
            severity: 'Error',
            reason: 'VpcReconciliationFailed',
            lastTransitionTime: T0,
          },
          usage('False'),
        ],
        v1beta2: {
          conditions: [
            usage('True', { observedGeneration: 4, reason: 'Allowed' }),
          ],
        },
        deprecated: {
          v1beta1: { conditions: [{ type: 'SubnetsReady', status: 'True' }] },
        },
      }),
    );
    expect(conditions.map(c => [c.type, c.status, c.source])).toEqual([
      ['PrincipalUsageAllowed', 'True', 'status.v1beta2.conditions'],
      ['VpcReady', 'False', 'status.conditions'],
      ['SubnetsReady', 'True', 'status.deprecated.v1beta1.conditions'],
    ]);
    expect(conditions[0].observedGeneration).toBe(4);
    expect(conditions[1]).toMatchObject({
      severity: 'Error',
      reason: 'VpcReconciliationFailed',
    });
  });
});

describe('capaConditionsReport: CAPA against our verdict', () => {
  it('flags CAPA saying usage allowed while we say broken, naming the failing checks', () => {
    const r = capaConditionsReport(
      awsCluster({ conditions: [usage('True'), credential('True')] }),
      [],
      'broken',
      failing,
    );
    expect(r.agreement).toBe('capa-allows-we-broken');
    expect(r.disagreement).toContain('PrincipalUsageAllowed=True');
    expect(r.disagreement).toContain('target-trust');
  });

  it('flags CAPA refusing (PrincipalUsageUnauthorized) while we find the chain usable', () => {
    const r = capaConditionsReport(
      awsCluster({
        conditions: [
          usage('False', {
            reason: 'PrincipalUsageUnauthorized',
            severity: 'Error',
          }),
        ],
      }),
      [],
      'configured',
      passing,
    );
    expect(r.agreement).toBe('capa-refuses-we-allow');
    expect(r.disagreement).toContain(
      'PrincipalUsageAllowed=False (PrincipalUsageUnauthorized)',
    );
  });

  it('flags a failed credential retrieval (the AssumeRole failed) while we say trusted', () => {
    const r = capaConditionsReport(
      awsCluster({
        conditions: [
          usage('True'),
          credential('False', { reason: 'PrincipalCredentialRetrievalFailed' }),
        ],
      }),
      [],
      'trusted',
      passing,
    );
    expect(r.agreement).toBe('capa-refuses-we-allow');
  });

  it.each([
    ['both usable', [usage('True'), credential('True')], 'configured', passing],
    ['both broken', [usage('False')], 'broken', failing],
  ] as const)('agrees when %s', (_n, conditions, verdict, checks) => {
    const r = capaConditionsReport(awsCluster({ conditions }), [], verdict, [
      ...checks,
    ]);
    expect(r).toMatchObject({ agreement: 'agree' });
    expect(r.disagreement).toBeUndefined();
  });

  it('has no CAPA word without Principal* conditions (never reconciled, or a GitOps manifest)', () => {
    expect(
      capaConditionsReport(
        awsCluster({ conditions: [{ type: 'VpcReady', status: 'True' }] }),
        [],
        'broken',
        failing,
      ).agreement,
    ).toBe('no-capa-word');
    expect(
      capaConditionsReport(awsCluster({}), [], 'broken', failing).agreement,
    ).toBe('no-capa-word');
  });
});

describe('capaConditionsReport: staleness', () => {
  it('flags a status whose observedGeneration is behind metadata.generation (AWSManagedControlPlane)', () => {
    const cp = {
      apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2',
      kind: 'AWSManagedControlPlane',
      metadata: { name: 'web-cp', namespace: 'staging', generation: 3 },
      spec: {},
      status: { observedGeneration: 2, conditions: [usage('True')] },
    } as unknown as KubeObject;
    const r = capaConditionsReport(cp, [], 'configured', passing);
    expect(r.stale).toBe(true);
    expect(r.conditions[0].stale).toBe(
      'observedGeneration 2 is behind generation 3',
    );
    expect(r).toMatchObject({ generation: 3, observedGeneration: 2 });
  });

  it("uses a v1beta2 condition's own observedGeneration", () => {
    const r = capaConditionsReport(
      awsCluster(
        { v1beta2: { conditions: [usage('True', { observedGeneration: 5 })] } },
        { generation: 5 },
      ),
      [],
      'configured',
      passing,
    );
    expect(r.stale).toBe(false);
  });

  it('flags a condition that transitioned before the last spec change; status writes do not count as a change', () => {
    const managedFields = [
      { manager: 'kubectl', operation: 'Update', time: '2026-01-03T09:00:00Z' },
      {
        manager: 'capa-manager',
        operation: 'Update',
        subresource: 'status',
        time: '2026-01-05T09:00:00Z',
      },
    ];
    const r = capaConditionsReport(
      awsCluster(
        { conditions: [usage('True')] },
        { managedFields, creationTimestamp: T0 },
      ),
      [],
      'configured',
      passing,
    );
    expect(r.lastChange).toBe('2026-01-03T09:00:00Z');
    expect(r.conditions[0].stale).toContain(
      "older than the AWSCluster's last change 2026-01-03T09:00:00Z",
    );
  });

  it('flags a Principal* condition older than an identity of the chain', () => {
    const identity = {
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
      kind: 'AWSClusterRoleIdentity',
      metadata: {
        name: 'staging',
        managedFields: [
          {
            manager: 'argocd',
            operation: 'Apply',
            time: '2026-01-04T00:00:00Z',
          },
        ],
      },
      spec: {},
    } as unknown as KubeObject;
    const r = capaConditionsReport(
      awsCluster(
        {
          conditions: [
            usage('True'),
            { type: 'VpcReady', status: 'True', lastTransitionTime: T1 },
          ],
        },
        { creationTimestamp: T0 },
      ),
      [identity],
      'configured',
      passing,
    );
    expect(
      r.conditions.find(c => c.type === 'PrincipalUsageAllowed')?.stale,
    ).toContain('AWSClusterRoleIdentity/staging');
    expect(
      r.conditions.find(c => c.type === 'VpcReady')?.stale,
    ).toBeUndefined();
  });

  it('reads no last change from a GitOps manifest (no managedFields, no creationTimestamp)', () => {
    expect(lastChangeOf(awsCluster({}))).toBeUndefined();
  });
});

describe('capaConditionsForCluster', () => {
  const report = {
    managementCluster: 'mgmt-eu',
    namespace: 'staging',
    name: 'web',
    identityRef: { kind: 'AWSClusterRoleIdentity', name: 'staging' },
    verdict: 'broken',
    checks: failing,
    chain: [
      { kind: 'AWSClusterRoleIdentity', name: 'staging' },
      { kind: 'AWSClusterControllerIdentity', name: 'default' },
    ],
    flavour: 'kubeadm',
    infrastructureRef: {
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
      kind: 'AWSCluster',
      name: 'web',
    },
    conditions: [],
    apiVersions: [],
  } as unknown as ClusterReport;

  it("finds the carrier in the cluster's namespace, not a namesake elsewhere", () => {
    const other = awsCluster(
      { conditions: [usage('False')] },
      { namespace: 'prod' },
    );
    const mine = awsCluster({ conditions: [usage('True')] });
    const r = capaConditionsForCluster(report, [other, mine]);
    expect(r?.object).toEqual({
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
      kind: 'AWSCluster',
      namespace: 'staging',
      name: 'web',
    });
    expect(r?.agreement).toBe('capa-allows-we-broken');
  });

  it('is undefined when the carrier is not among the objects', () => {
    expect(capaConditionsForCluster(report, [])).toBeUndefined();
  });
});
