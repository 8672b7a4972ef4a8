// (h) Workload access across accounts (issue #16 part 4): the centralized EKS cluster shared-ingress-use1 (mgmt-us,
// shared-services account 777777777777) and what examples/demo-fleet/workload-access.yaml says its workloads reach:
// retail/catalog-sync through EKS Pod Identity chained into retail-live-us (888888888888), whose role trusts the
// association role with the ABAC conditions of AWS's multi-account EKS guide (configured), and
// exchange/feed-publisher through IRSA into data-exchange (101010101010), whose trust policy names the service
// account in another namespace (broken: workload-irsa-trust). A kubeadm cluster has no such tab.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import {
  e2eTest,
  openEntity,
  saveScreenshot,
  useBrowser,
  waitForProgressGone,
} from './helpers.mjs';

const CLUSTER = 'shared-ingress-use1.shared-services.mgmt-us';

/** The entity page's tabs. */
function tabs(page) {
  return page.getByRole('navigation', { name: 'Content navigation' });
}

/** The table row of a service account (`namespace/name`). */
function rowOf(page, serviceAccount) {
  return page.getByRole('row').filter({ hasText: serviceAccount });
}

describe('workload access of shared-ingress-use1', () => {
  const page = useBrowser();

  e2eTest(
    'the tab lists each service account with its mechanism, role, account and verdict',
    page,
    async p => {
      await openEntity(p, CLUSTER);
      await tabs(p).getByText('Workload access', { exact: true }).click();
      await p.waitForURL(/\/workload-access$/);
      await waitForProgressGone(p);

      const podIdentity = rowOf(p, 'retail/catalog-sync');
      await podIdentity.waitFor();
      await podIdentity.getByText('EKS Pod Identity').waitFor();
      await podIdentity
        .getByText('arn:aws:iam::888888888888:role/retail-catalog-sync')
        .first()
        .waitFor();
      await podIdentity
        .getByText(
          /chained from arn:aws:iam::777777777777:role\/shared-ingress-pod-identity/,
        )
        .waitFor();
      await podIdentity
        .getByText(/888888888888/)
        .first()
        .waitFor();
      await podIdentity.getByLabel('Verdict: Configured').waitFor();

      const irsa = rowOf(p, 'exchange/feed-publisher');
      await irsa.getByText('IRSA', { exact: true }).waitFor();
      await irsa
        .getByText('arn:aws:iam::101010101010:role/exchange-feed-publisher')
        .first()
        .waitFor();
      await irsa.getByLabel('Verdict: Broken').waitFor();
    },
  );

  e2eTest(
    'expanding the broken binding shows the failing IRSA trust check with its fix',
    page,
    async p => {
      const irsa = rowOf(p, 'exchange/feed-publisher');
      await irsa.getByRole('button').first().click();
      const check = p.getByText('workload-irsa-trust', { exact: true });
      await check.waitFor();
      // The service account the role must trust, as the :sub condition names it.
      await p
        .getByText(/system:serviceaccount:exchange:feed-publisher/)
        .first()
        .waitFor();
      await saveScreenshot(p, 'workload-access');
    },
  );

  e2eTest('a kubeadm cluster has no Workload access tab', page, async p => {
    await openEntity(p, 'batch-legacy-euw1.legacy-batch.mgmt-eu');
    await tabs(p).getByText('Trust', { exact: true }).waitFor();
    assert.equal(
      await tabs(p).getByText('Workload access', { exact: true }).count(),
      0,
    );
  });
});
