/*
 * CAPA installed with the CAPI Operator: an InfrastructureProvider `aws` in capa-system. The trust engine
 * reads an operator install as possibly static credentials (a warning on its clusters); here the controllers
 * run on IRSA / EKS Pod Identity, so it has no configSecret with static credentials.
 */
import type { KubeObject } from '@capa-portal/plugin-capa-common';
import { conditions, kubeObject, OPERATOR } from './kubeObject';
import type { Rng } from './random';

export function capiOperatorObjects(r: Rng): KubeObject[] {
  return [
    kubeObject(
      r,
      OPERATOR,
      'InfrastructureProvider',
      { name: 'aws', namespace: 'capa-system' },
      { version: 'v2.9.0' },
      {
        installedVersion: 'v2.9.0',
        observedGeneration: 1,
        conditions: conditions(r, ['Ready', 'PreflightCheckPassed'], true),
      },
      'capi-operator',
    ),
  ];
}
