import { ConfigReader } from '@backstage/config';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  describeConnection,
  kubeConfigFor,
  readManagementClusterConnection,
} from './connection';

describe('management cluster connections', () => {
  it('takes the token from a file or an environment variable, so fleet.yaml needs no token in plain text', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'capa-token-'));
    try {
      writeFileSync(path.join(dir, 'mgmt-eu.token'), 'token-from-file\n');
      expect(
        readManagementClusterConnection(
          new ConfigReader({
            url: 'https://k8s:6443',
            serviceAccountTokenFile: 'mgmt-eu.token',
          }),
          { resolvePath: p => path.join(dir, p) },
        ),
      ).toEqual({
        url: 'https://k8s:6443',
        serviceAccountToken: 'token-from-file',
      });
      process.env.CAPA_TEST_MGMT_TOKEN = 'token-from-env';
      expect(
        readManagementClusterConnection(
          new ConfigReader({
            url: 'https://k8s:6443',
            serviceAccountTokenEnv: 'CAPA_TEST_MGMT_TOKEN',
          }),
        ),
      ).toEqual({
        url: 'https://k8s:6443',
        serviceAccountToken: 'token-from-env',
      });
      delete process.env.CAPA_TEST_MGMT_TOKEN;
      expect(() =>
        readManagementClusterConnection(
          new ConfigReader({
            url: 'https://k8s:6443',
            serviceAccountTokenEnv: 'CAPA_TEST_MGMT_TOKEN',
          }),
        ),
      ).toThrow(
        'kubernetes.serviceAccountTokenEnv: environment variable CAPA_TEST_MGMT_TOKEN is not set',
      );
      expect(() =>
        readManagementClusterConnection(
          new ConfigReader({
            url: 'https://k8s:6443',
            serviceAccountTokenFile: 'missing.token',
          }),
          { resolvePath: p => path.join(dir, p) },
        ),
      ).toThrow(
        /serviceAccountTokenFile: cannot read .*missing.token \(ENOENT\)/,
      );
      expect(() =>
        readManagementClusterConnection(
          new ConfigReader({
            url: 'https://k8s:6443',
            serviceAccountToken: 'inline-secret',
            serviceAccountTokenEnv: 'X',
          }),
        ),
      ).toThrow(/exactly one of .* \(got 2\)/);
      const refusal = (() => {
        try {
          readManagementClusterConnection(
            new ConfigReader({
              url: 'https://k8s:6443',
              serviceAccountToken: 'inline-secret',
              serviceAccountTokenEnv: 'X',
            }),
          );
          return 'accepted';
        } catch (e) {
          return (e as Error).message;
        }
      })();
      expect(refusal).toMatch(/exactly one of/);
      expect(refusal).not.toContain('inline-secret');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

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
