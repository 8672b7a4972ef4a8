import http from 'node:http';
import { AddressInfo } from 'node:net';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import type { JsonObject } from '@backstage/types';
import type { ChainPlan } from '@capa-portal/plugin-capa-common';
import { DefaultAwsEvidenceGatherer } from './AwsEvidenceGatherer';
import { createDefaultAwsClientFactory } from './clients';

/*
 * The real SDK v3 STS client, signing real requests, against a local HTTP test double speaking STS's query
 * protocol (not an AWS emulator: just the two actions, answering from a script).
 */

const MGMT = '111111111111';
const TARGET = '222222222222';
const MGMT_KEY_ID = 'AKIAFAKEMGMT00000001';
const MGMT_SECRET = 'mgmtSecretFAKEmgmtSecretFAKEmgmtSecretFK';
const HUB = `arn:aws:iam::${MGMT}:role/capa-hub`;
const TARGET_ROLE = `arn:aws:iam::${TARGET}:role/controllers.cluster-api-provider-aws.sigs.k8s.io`;
const creds = (n: number) => ({
  id: `ASIAFAKEHOP${n}00000000`.slice(0, 20),
  secret: `hop${n}SecretFAKE`.repeat(4).slice(0, 40),
  token: `hop${n}-session-token-FAKE`,
});

interface Seen {
  action: string;
  params: Record<string, string>;
  keyId?: string;
  securityToken?: string;
}

type Script = (seen: Seen) => { status: number; body: string };

function xmlAssume(roleArn: string, n: number) {
  const c = creds(n);
  return `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<Credentials><AccessKeyId>${c.id}</AccessKeyId><SecretAccessKey>${
    c.secret
  }</SecretAccessKey><SessionToken>${
    c.token
  }</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>
<AssumedRoleUser><Arn>${roleArn
    .replace(':iam::', ':sts::')
    .replace(
      ':role/',
      ':assumed-role/',
    )}/s</Arn><AssumedRoleId>AROAFAKE:s</AssumedRoleId></AssumedRoleUser>
</AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>`;
}

function xmlError(code: string, message: string) {
  return `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r</RequestId></ErrorResponse>`;
}

const xmlIdentity = (account: string) =>
  `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:sts::${account}:assumed-role/controllers.cluster-api-provider-aws.sigs.k8s.io/s</Arn><UserId>AROAFAKE:s</UserId><Account>${account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;

async function startSts(script: Script) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', d => (body += d));
    req.on('end', () => {
      const params = Object.fromEntries(new URLSearchParams(body));
      const entry: Seen = {
        action: params.Action,
        params,
        keyId: /Credential=([^/]+)\//.exec(
          String(req.headers.authorization),
        )?.[1],
        securityToken: req.headers['x-amz-security-token'] as
          | string
          | undefined,
      };
      seen.push(entry);
      const { status, body: out } = script(entry);
      res.writeHead(status, { 'content-type': 'text/xml' });
      res.end(out);
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    seen,
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

function captureLogger() {
  const lines: string[] = [];
  const logger: LoggerService = {
    error: m => void lines.push(m),
    warn: m => void lines.push(m),
    info: m => void lines.push(m),
    debug: m => void lines.push(m),
    child: () => logger,
  };
  return { logger, lines };
}

const chain: ChainPlan = {
  key: 'mgmt-eu/staging',
  hops: [
    { roleArn: HUB, sessionName: 'hub', durationSeconds: 3600 },
    {
      roleArn: TARGET_ROLE,
      sessionName: 'staging',
      durationSeconds: 900,
      externalId: 'ext-1',
    },
  ],
  expectedAccountId: TARGET,
};

/** app-config with the management account's keys, and `capa.verification` when given. */
function appConfig(verification?: JsonObject) {
  return new ConfigReader({
    aws: {
      accounts: [
        {
          accountId: MGMT,
          accessKeyId: MGMT_KEY_ID,
          secretAccessKey: MGMT_SECRET,
        },
      ],
    },
    ...(verification ? { capa: { verification } } : {}),
  });
}

function gathererFor(endpoint: string) {
  const { logger, lines } = captureLogger();
  const g = DefaultAwsEvidenceGatherer.fromConfig(appConfig(), {
    logger,
    clientFactory: createDefaultAwsClientFactory({ endpoint }),
    retryBaseDelayMs: 1,
  });
  return { g, lines };
}

describe('DefaultAwsEvidenceGatherer with the real STS client against a local endpoint', () => {
  it('signs each hop with the previous hop credentials and sends CAPA parameters', async () => {
    let throttled = false;
    const sts = await startSts(seen => {
      if (seen.action === 'AssumeRole' && seen.params.RoleArn === HUB) {
        if (!throttled) {
          throttled = true;
          return { status: 400, body: xmlError('Throttling', 'Rate exceeded') };
        }
        return { status: 200, body: xmlAssume(HUB, 1) };
      }
      if (seen.action === 'AssumeRole')
        return { status: 200, body: xmlAssume(TARGET_ROLE, 2) };
      return { status: 200, body: xmlIdentity(TARGET) };
    });
    try {
      const { g, lines } = gathererFor(sts.endpoint);
      const evidence = await g.gather(
        { roleArns: [], simulations: [], chains: [chain] },
        { managementAccountId: MGMT, includeOrganizations: false },
      );
      expect(evidence.assumeResults?.[chain.key]).toMatchObject({
        status: 'ok',
        accountId: TARGET,
      });
      expect(sts.seen.map(s => [s.action, s.keyId, s.securityToken])).toEqual([
        ['AssumeRole', MGMT_KEY_ID, undefined],
        ['AssumeRole', MGMT_KEY_ID, undefined], // the throttled request, retried
        ['AssumeRole', creds(1).id, creds(1).token],
        ['GetCallerIdentity', creds(2).id, creds(2).token],
      ]);
      expect(sts.seen[1].params).toMatchObject({
        RoleArn: HUB,
        RoleSessionName: 'hub',
        DurationSeconds: '3600',
      });
      expect(sts.seen[1].params).not.toHaveProperty('ExternalId');
      expect(sts.seen[2].params).toMatchObject({
        RoleArn: TARGET_ROLE,
        RoleSessionName: 'staging',
        DurationSeconds: '900',
        ExternalId: 'ext-1',
      });
      const text = JSON.stringify(evidence) + lines.join('\n');
      for (const s of [
        MGMT_SECRET,
        creds(1).secret,
        creds(1).token,
        creds(2).secret,
        creds(2).token,
      ]) {
        expect(text).not.toContain(s);
      }
    } finally {
      await sts.close();
    }
  });

  it('reports the AWS AccessDenied of hop 2 as denied, without retrying', async () => {
    const sts = await startSts(seen => {
      if (seen.action === 'AssumeRole' && seen.params.RoleArn === HUB)
        return { status: 200, body: xmlAssume(HUB, 1) };
      return {
        status: 403,
        body: xmlError(
          'AccessDenied',
          `User: arn:aws:sts::${MGMT}:assumed-role/capa-hub/hub is not authorized to perform: sts:AssumeRole on resource: ${TARGET_ROLE}`,
        ),
      };
    });
    try {
      const { g } = gathererFor(sts.endpoint);
      const evidence = await g.gather(
        { roleArns: [], simulations: [], chains: [chain] },
        { managementAccountId: MGMT, includeOrganizations: false },
      );
      const result = evidence.assumeResults?.[chain.key];
      expect(result).toMatchObject({ status: 'denied', failedHop: 1 });
      expect(result?.message).toContain(
        'is not authorized to perform: sts:AssumeRole',
      );
      expect(sts.seen).toHaveLength(2);
    } finally {
      await sts.close();
    }
  });

  it('takes the STS endpoint and the attempts from capa.verification in app-config', async () => {
    const sts = await startSts(seen =>
      seen.action === 'AssumeRole' && seen.params.RoleArn === HUB
        ? { status: 400, body: xmlError('Throttling', 'Rate exceeded') }
        : { status: 200, body: xmlIdentity(TARGET) },
    );
    try {
      const { logger } = captureLogger();
      const g = DefaultAwsEvidenceGatherer.fromConfig(
        appConfig({
          maxAttempts: 1,
          endpoints: { sts: sts.endpoint },
        }),
        { logger },
      );
      const evidence = await g.gather(
        { roleArns: [], simulations: [], chains: [chain] },
        { managementAccountId: MGMT, includeOrganizations: false },
      );
      expect(evidence.assumeResults?.[chain.key]).toMatchObject({
        status: 'throttled',
      });
      // One attempt: the throttled AssumeRole was not retried.
      expect(sts.seen.map(s => s.action)).toEqual(['AssumeRole']);
    } finally {
      await sts.close();
    }
  });

  it('gives up on a request that gets no answer within capa.verification.requestTimeout', async () => {
    // Takes each request and never answers it.
    const silent = http.createServer(() => undefined);
    await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${
      (silent.address() as AddressInfo).port
    }`;
    try {
      const { logger } = captureLogger();
      const g = DefaultAwsEvidenceGatherer.fromConfig(
        appConfig({
          maxAttempts: 1,
          requestTimeout: { milliseconds: 300 },
          endpoints: { sts: endpoint },
        }),
        { logger },
      );
      const started = Date.now();
      const evidence = await g.gather(
        { roleArns: [], simulations: [], chains: [chain] },
        { managementAccountId: MGMT, includeOrganizations: false },
      );
      expect(Date.now() - started).toBeLessThan(5000);
      expect(evidence.assumeResults?.[chain.key]).toMatchObject({
        status: 'error',
        failedHop: 0,
      });
    } finally {
      silent.closeAllConnections();
      await new Promise(resolve => silent.close(resolve));
    }
  });
});
