// Throwaway TLS material for a test kube-apiserver, made with openssl (Debian's, always present): a CA, a
// serving certificate for 127.0.0.1 / localhost signed by it, and the RSA key pair the API server signs and
// verifies service-account tokens with (--service-account-signing-key-file / --service-account-key-file).
// Valid two days; generated into the server's temp dir and removed with it.
import { generateKeyPairSync } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function openssl(args, cwd) {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error(
      `openssl ${args[0]} failed: ${(
        r.stderr ||
        r.stdout ||
        r.error?.message ||
        ''
      ).trim()}`,
    );
}

/** Writes ca.crt, server.crt/.key and sa.key/.pub into `dir`; returns their paths and the CA PEM. */
export function makeCerts(dir) {
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '2',
      '-subj',
      '/CN=capa-portal-test-ca',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  openssl(
    [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
      '-subj',
      '/CN=kube-apiserver',
    ],
    dir,
  );
  // Node checks the address it connects to against the IP SANs, so 127.0.0.1 must be one.
  writeFileSync(
    join(dir, 'server.ext'),
    [
      'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc',
      'extendedKeyUsage=serverAuth',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      '',
    ].join('\n'),
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.crt',
      '-days',
      '2',
      '-extfile',
      'server.ext',
    ],
    dir,
  );
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  writeFileSync(join(dir, 'sa.key'), privateKey, { mode: 0o600 });
  writeFileSync(join(dir, 'sa.pub'), publicKey);
  return {
    caFile: join(dir, 'ca.crt'),
    caPem: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    certFile: join(dir, 'server.crt'),
    keyFile: join(dir, 'server.key'),
    saKeyFile: join(dir, 'sa.key'),
    saPubFile: join(dir, 'sa.pub'),
  };
}
