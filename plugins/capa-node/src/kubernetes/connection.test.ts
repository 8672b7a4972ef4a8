import { ConfigReader } from '@backstage/config';
import {
  describeConnection,
  kubeConfigFor,
  readManagementClusterConnection,
} from './connection';

describe('management cluster connections', () => {
  it('reads each shape of the kubernetes config block', () => {
    expect(
      readManagementClusterConnection(
        new ConfigReader({
          kubeconfigPath: 'kube/config',
          context: 'mgmt',
          timeoutMs: 5000,
        }),
        {
          resolvePath: p => `/fleet/${p}`,
        },
      ),
    ).toEqual({
      kubeconfigPath: '/fleet/kube/config',
      context: 'mgmt',
      timeoutMs: 5000,
    });
    expect(
      readManagementClusterConnection(
        new ConfigReader({
          url: 'https://k8s:6443',
          serviceAccountToken: 't',
          caData: 'Y2E=',
          pageSize: 100,
        }),
      ),
    ).toEqual({
      url: 'https://k8s:6443',
      serviceAccountToken: 't',
      caData: 'Y2E=',
      pageSize: 100,
    });
    expect(
      readManagementClusterConnection(new ConfigReader({ inCluster: true })),
    ).toEqual({ inCluster: true });
    expect(() => readManagementClusterConnection(new ConfigReader({}))).toThrow(
      /kubeconfigPath/,
    );
  });

  it('builds a KubeConfig for url + token without exposing the token in descriptions', () => {
    const connection = {
      url: 'https://k8s.example:6443',
      serviceAccountToken: 'secret-token',
      caData: 'Y2E=',
    };
    const kc = kubeConfigFor(connection);
    expect(kc.getCurrentCluster()).toEqual(
      expect.objectContaining({
        server: 'https://k8s.example:6443',
        caData: 'Y2E=',
      }),
    );
    expect(kc.getCurrentUser()?.token).toBe('secret-token');
    expect(describeConnection(connection)).toBe(
      'https://k8s.example:6443 (service account token)',
    );
  });

  it('reports an unreadable kubeconfig file', () => {
    expect(() =>
      kubeConfigFor({ kubeconfigPath: '/nonexistent/kubeconfig' }),
    ).toThrow(/cannot read kubeconfig \/nonexistent\/kubeconfig/);
  });
});
