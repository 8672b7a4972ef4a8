import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import {
  GetRoleCommand,
  IAMClient,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import {
  ListAccountsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import type {
  AwsCredentialProvider,
  AwsCredentialsManager,
} from '@backstage/integration-aws-node';
import type { ChainPlan, EvidencePlan } from '@capa-portal/plugin-capa-common';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AwsEvidenceCache,
  DefaultAwsEvidenceGatherer,
  decodePolicyDocument,
} from './AwsEvidenceGatherer';
import {
  AwsClientFactory,
  AwsClientOptions,
  createDefaultAwsClientFactory,
} from './clients';

// Recognisable fake secrets: none of them may appear in any result, log line, error or cache entry.
const MGMT_KEY_ID = 'AKIAFAKEMGMT00000001';
const MGMT_SECRET = 'mgmtSecretFAKEmgmtSecretFAKEmgmtSecretFK';
const TARGET_KEY_ID = 'AKIAFAKETARGET000001';
const TARGET_SECRET = 'targetSecretFAKEtargetSecretFAKEtargetSe';
const HOP1 = {
  AccessKeyId: 'ASIAFAKEHOPONE000001',
  SecretAccessKey: 'hop1SecretFAKEhop1SecretFAKEhop1SecretFA',
  SessionToken: 'hop1-session-token-FAKE',
};
const HOP2 = {
  AccessKeyId: 'ASIAFAKEHOPTWO000002',
  SecretAccessKey: 'hop2SecretFAKEhop2SecretFAKEhop2SecretFA',
  SessionToken: 'hop2-session-token-FAKE',
};
const SECRETS = [
  MGMT_KEY_ID,
  MGMT_SECRET,
  TARGET_KEY_ID,
  TARGET_SECRET,
  ...Object.values(HOP1),
  ...Object.values(HOP2),
];

const MGMT = '111111111111';
const TARGET = '222222222222';
const UNCONFIGURED = '333333333333';
const CONTROLLERS = `arn:aws:iam::${MGMT}:role/controllers.cluster-api-provider-aws.sigs.k8s.io`;
const INTERMEDIATE = `arn:aws:iam::${MGMT}:role/capa-hub`;
const TARGET_ROLE = `arn:aws:iam::${TARGET}:role/controllers.cluster-api-provider-aws.sigs.k8s.io`;

const TRUST_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: CONTROLLERS },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': 'ext 123+/=' } },
    },
  ],
};

const sts = mockClient(STSClient);
const iam = mockClient(IAMClient);
const orgs = mockClient(OrganizationsClient);
const eks = mockClient(EKSClient);

function sdkError(name: string, message: string, httpStatusCode = 400) {
  return Object.assign(new Error(message), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode },
  });
}

function captureLogger() {
  const lines: string[] = [];
  const logger: LoggerService = {
    error: (m, meta) =>
      void lines.push(`error ${m} ${JSON.stringify(meta ?? {})}`),
    warn: (m, meta) =>
      void lines.push(`warn ${m} ${JSON.stringify(meta ?? {})}`),
    info: (m, meta) =>
      void lines.push(`info ${m} ${JSON.stringify(meta ?? {})}`),
    debug: (m, meta) =>
      void lines.push(`debug ${m} ${JSON.stringify(meta ?? {})}`),
    child: () => logger,
  };
  return { logger, lines };
}

function recordingCache() {
  const entries = new Map<string, unknown>();
  const ttls = new Map<string, number | undefined>();
  const cache: AwsEvidenceCache = {
    get: async key => entries.get(key),
    set: async (key, value, options) => {
      entries.set(key, JSON.parse(JSON.stringify(value)));
      ttls.set(key, options?.ttl);
    },
  };
  return { cache, entries, ttls };
}

/** Static credentials per configured account, as integration-aws-node would give; unconfigured accounts throw. */
const credentialsManager: AwsCredentialsManager = {
  async getCredentialProvider(opts) {
    const accounts: Record<string, AwsCredentialProvider> = {
      [MGMT]: {
        accountId: MGMT,
        sdkCredentialProvider: async () => ({
          accessKeyId: MGMT_KEY_ID,
          secretAccessKey: MGMT_SECRET,
        }),
      },
      [TARGET]: {
        accountId: TARGET,
        sdkCredentialProvider: async () => ({
          accessKeyId: TARGET_KEY_ID,
          secretAccessKey: TARGET_SECRET,
        }),
      },
    };
    const provider = opts?.accountId
      ? accounts[opts.accountId]
      : accounts[MGMT];
    if (!provider)
      throw new Error(
        `There is no AWS integration that matches ${opts?.accountId}. Please add a configuration for this AWS account.`,
      );
    return provider;
  },
};

/** The default factory, recording every client it makes. */
function recordingFactory() {
  const base = createDefaultAwsClientFactory();
  const made: Array<{
    service: string;
    options: AwsClientOptions;
    client: unknown;
  }> = [];
  const factory: AwsClientFactory = {
    sts: o => {
      const c = base.sts(o);
      made.push({ service: 'sts', options: o, client: c });
      return c;
    },
    iam: o => {
      const c = base.iam(o);
      made.push({ service: 'iam', options: o, client: c });
      return c;
    },
    organizations: o => {
      const c = base.organizations(o);
      made.push({ service: 'organizations', options: o, client: c });
      return c;
    },
    eks: o => {
      const c = base.eks!(o);
      made.push({ service: 'eks', options: o, client: c });
      return c;
    },
  };
  return { factory, made };
}

function gatherer(
  extra: Partial<
    Parameters<typeof DefaultAwsEvidenceGatherer.fromConfig>[1]
  > = {},
) {
  const { logger, lines } = captureLogger();
  const { cache, entries, ttls } = recordingCache();
  const { factory, made } = recordingFactory();
  const g = DefaultAwsEvidenceGatherer.fromConfig(new ConfigReader({}), {
    logger,
    cache,
    credentialsManager,
    clientFactory: factory,
    retryBaseDelayMs: 1,
    retryMaxDelayMs: 5,
    ...extra,
  });
  return { g, lines, entries, ttls, made };
}

const twoHopChain: ChainPlan = {
  key: 'mgmt-eu/AWSClusterRoleIdentity/staging',
  hops: [
    {
      roleArn: INTERMEDIATE,
      sessionName: 'capa-hub',
      durationSeconds: 900,
      externalId: '',
    },
    {
      roleArn: TARGET_ROLE,
      sessionName: 'staging',
      durationSeconds: 900,
      externalId: 'ext 123+/=',
    },
  ],
  expectedAccountId: TARGET,
};

function plan(p: Partial<EvidencePlan>): EvidencePlan {
  return { roleArns: [], simulations: [], chains: [], ...p };
}

/** IAM GetRole finds the target role, with TRUST_POLICY. */
function getRoleSucceeds() {
  iam.on(GetRoleCommand).resolves({
    Role: {
      RoleName: 'r',
      Arn: TARGET_ROLE,
      Path: '/',
      RoleId: 'x',
      CreateDate: new Date(),
      AssumeRolePolicyDocument: encodeURIComponent(
        JSON.stringify(TRUST_POLICY),
      ),
    },
  });
}

function assumeSucceeds() {
  sts.on(AssumeRoleCommand, { RoleArn: INTERMEDIATE }).resolves({
    Credentials: { ...HOP1, Expiration: new Date(Date.now() + 900_000) },
    AssumedRoleUser: {
      Arn: `arn:aws:sts::${MGMT}:assumed-role/capa-hub/capa-hub`,
      AssumedRoleId: 'AROAFAKE:capa-hub',
    },
  });
  sts.on(AssumeRoleCommand, { RoleArn: TARGET_ROLE }).resolves({
    Credentials: { ...HOP2, Expiration: new Date(Date.now() + 900_000) },
    AssumedRoleUser: {
      Arn: `arn:aws:sts::${TARGET}:assumed-role/controllers.cluster-api-provider-aws.sigs.k8s.io/staging`,
      AssumedRoleId: 'AROAFAKE2:staging',
    },
  });
  sts.on(GetCallerIdentityCommand).resolves({
    Account: TARGET,
    Arn: `arn:aws:sts::${TARGET}:assumed-role/controllers.cluster-api-provider-aws.sigs.k8s.io/staging`,
    UserId: 'AROAFAKE2:staging',
  });
}

/** Every AssumeRole fails as with expired root credentials. */
function assumeRejectsExpired() {
  sts
    .on(AssumeRoleCommand)
    .rejects(
      sdkError(
        'ExpiredTokenException',
        'The security token included in the request is expired',
      ),
    );
}

function expectNoSecrets(...things: unknown[]) {
  const text = things
    .map(t =>
      typeof t === 'string'
        ? t
        : JSON.stringify(t, (_k, v) => (v instanceof Map ? [...v] : v)),
    )
    .join('\n');
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

beforeEach(() => {
  sts.reset();
  iam.reset();
  orgs.reset();
  eks.reset();
});

describe('decodePolicyDocument', () => {
  it('decodes the URL-encoded JSON IAM returns', () => {
    expect(
      decodePolicyDocument(encodeURIComponent(JSON.stringify(TRUST_POLICY))),
    ).toEqual(TRUST_POLICY);
    expect(decodePolicyDocument(JSON.stringify(TRUST_POLICY))).toEqual(
      TRUST_POLICY,
    );
    expect(decodePolicyDocument('%7Bnot json')).toBeUndefined();
  });
});

describe('DefaultAwsEvidenceGatherer', () => {
  it('reads a target role trust policy with the target account credentials and decodes it', async () => {
    iam.on(GetRoleCommand).resolves({
      Role: {
        RoleName: 'controllers.cluster-api-provider-aws.sigs.k8s.io',
        Arn: TARGET_ROLE,
        Path: '/',
        RoleId: 'AROAFAKE',
        CreateDate: new Date(),
        AssumeRolePolicyDocument: encodeURIComponent(
          JSON.stringify(TRUST_POLICY),
        ),
      },
    });
    const { g, made } = gatherer();
    const evidence = await g.gather(plan({ roleArns: [TARGET_ROLE] }), {
      includeOrganizations: false,
    });
    expect(evidence.targetRoles?.[TARGET_ROLE]).toMatchObject({
      status: 'found',
      trustPolicy: TRUST_POLICY,
    });
    expect(iam.commandCalls(GetRoleCommand)[0].args[0].input).toEqual({
      RoleName: 'controllers.cluster-api-provider-aws.sigs.k8s.io',
    });
    expect(
      made.filter(m => m.service === 'iam').map(m => m.options.principal),
    ).toEqual([TARGET]);
  });

  it('reports a missing role and a denied GetRole without throwing', async () => {
    const missing = `arn:aws:iam::${TARGET}:role/missing`;
    iam
      .on(GetRoleCommand, { RoleName: 'missing' })
      .rejects(
        sdkError(
          'NoSuchEntityException',
          'The role with name missing cannot be found.',
          404,
        ),
      );
    iam
      .on(GetRoleCommand, {
        RoleName: 'controllers.cluster-api-provider-aws.sigs.k8s.io',
      })
      .rejects(
        sdkError(
          'AccessDenied',
          'User is not authorized to perform: iam:GetRole',
          403,
        ),
      );
    const { g } = gatherer();
    const evidence = await g.gather(
      plan({ roleArns: [missing, TARGET_ROLE] }),
      { includeOrganizations: false },
    );
    expect(evidence.targetRoles?.[missing]?.status).toBe('not-found');
    expect(evidence.targetRoles?.[TARGET_ROLE]?.status).toBe('access-denied');
    expect(iam.commandCalls(GetRoleCommand)).toHaveLength(2); // neither retried
  });

  it('leaves out evidence for accounts without configured credentials', async () => {
    const role = `arn:aws:iam::${UNCONFIGURED}:role/controllers.cluster-api-provider-aws.sigs.k8s.io`;
    const { g, lines } = gatherer();
    const evidence = await g.gather(
      plan({
        roleArns: [role],
        simulations: [
          {
            key: 'k',
            principalArn: `arn:aws:iam::${UNCONFIGURED}:role/x`,
            roleArn: role,
          },
        ],
        chains: [{ ...twoHopChain, key: 'c' }],
      }),
      { managementAccountId: UNCONFIGURED, includeOrganizations: false },
    );
    expect(evidence).toEqual({});
    expect(iam.calls()).toHaveLength(0);
    expect(sts.calls()).toHaveLength(0);
    expect(lines.join('\n')).toContain(UNCONFIGURED);
  });

  it('gathers nothing when app-config has no aws block', async () => {
    const { logger, lines } = captureLogger();
    const g = DefaultAwsEvidenceGatherer.fromConfig(new ConfigReader({}), {
      logger,
    });
    expect(await g.gather(plan({ roleArns: [TARGET_ROLE] }))).toEqual({});
    expect(await g.listOrganizationAccounts()).toBeUndefined();
    expect(
      lines.filter(l => l.includes('no `aws` integration config')),
    ).toHaveLength(1);
  });

  it('uses integration-aws-node config credentials per account', async () => {
    getRoleSucceeds();
    const { logger, lines } = captureLogger();
    const { factory, made } = recordingFactory();
    const config = new ConfigReader({
      aws: {
        accounts: [
          {
            accountId: TARGET,
            accessKeyId: TARGET_KEY_ID,
            secretAccessKey: TARGET_SECRET,
          },
        ],
      },
    });
    const g = DefaultAwsEvidenceGatherer.fromConfig(config, {
      logger,
      clientFactory: factory,
    });
    const evidence = await g.gather(plan({ roleArns: [TARGET_ROLE] }), {
      includeOrganizations: false,
    });
    expect(evidence.targetRoles?.[TARGET_ROLE]?.status).toBe('found');
    const creds = made[0].options.credentials as () => Promise<{
      accessKeyId: string;
    }>;
    expect((await creds()).accessKeyId).toBe(TARGET_KEY_ID);
    expectNoSecrets(evidence, lines);
  });

  it('simulates sts:AssumeRole as the role of an assumed-role (IRSA) principal', async () => {
    iam.on(SimulatePrincipalPolicyCommand).resolves({
      EvaluationResults: [
        {
          EvalActionName: 'sts:AssumeRole',
          EvalResourceName: TARGET_ROLE,
          EvalDecision: 'allowed',
          MatchedStatements: [
            {
              SourcePolicyId: 'AWSIAMManagedPolicyControllers',
              SourcePolicyType: 'role',
            },
          ],
        },
      ],
    });
    const { g } = gatherer();
    const irsa = `arn:aws:sts::${MGMT}:assumed-role/controllers.cluster-api-provider-aws.sigs.k8s.io/botocore-session-1`;
    const evidence = await g.gather(
      plan({
        simulations: [
          {
            key: `${irsa} -> ${TARGET_ROLE}`,
            principalArn: irsa,
            roleArn: TARGET_ROLE,
          },
        ],
      }),
      { includeOrganizations: false },
    );
    expect(
      iam.commandCalls(SimulatePrincipalPolicyCommand)[0].args[0].input,
    ).toEqual({
      PolicySourceArn: CONTROLLERS,
      ActionNames: ['sts:AssumeRole'],
      ResourceArns: [TARGET_ROLE],
    });
    expect(evidence.simulations?.[`${irsa} -> ${TARGET_ROLE}`]).toMatchObject({
      decision: 'allowed',
      matchedStatements: ['AWSIAMManagedPolicyControllers'],
    });
  });

  it('assumes a 2-hop chain with hop-1 credentials for hop 2, ExternalId only when set, then checks the account', async () => {
    assumeSucceeds();
    const { g, made, lines, entries } = gatherer();
    const evidence = await g.gather(plan({ chains: [twoHopChain] }), {
      managementAccountId: MGMT,
      includeOrganizations: false,
    });

    expect(evidence.assumeResults?.[twoHopChain.key]).toMatchObject({
      status: 'ok',
      accountId: TARGET,
    });
    const calls = sts.commandCalls(AssumeRoleCommand);
    expect(calls.map(c => c.args[0].input)).toEqual([
      {
        RoleArn: INTERMEDIATE,
        RoleSessionName: 'capa-hub',
        DurationSeconds: 900,
      },
      {
        RoleArn: TARGET_ROLE,
        RoleSessionName: 'staging',
        DurationSeconds: 900,
        ExternalId: 'ext 123+/=',
      },
    ]);
    // Which credentials each call was sent with: the client that sent it.
    const stsClients = made.filter(m => m.service === 'sts');
    const credsOf = async (client: unknown) => {
      const entry = stsClients.find(m => m.client === client)!;
      const c = entry.options.credentials;
      return typeof c === 'function' ? c() : c;
    };
    expect(await credsOf(calls[0].thisValue)).toMatchObject({
      accessKeyId: MGMT_KEY_ID,
    });
    expect(await credsOf(calls[1].thisValue)).toMatchObject({
      accessKeyId: HOP1.AccessKeyId,
      secretAccessKey: HOP1.SecretAccessKey,
      sessionToken: HOP1.SessionToken,
    });
    expect(
      await credsOf(sts.commandCalls(GetCallerIdentityCommand)[0].thisValue),
    ).toMatchObject({ accessKeyId: HOP2.AccessKeyId });
    expectNoSecrets(evidence, lines, entries);
  });

  it('reports a GetCallerIdentity account that is not the expected one', async () => {
    assumeSucceeds();
    sts.on(GetCallerIdentityCommand).resolves({
      Account: '999999999999',
      Arn: 'arn:aws:sts::999999999999:assumed-role/x/staging',
    });
    const { g } = gatherer();
    const evidence = await g.gather(plan({ chains: [twoHopChain] }), {
      managementAccountId: { [twoHopChain.key]: MGMT },
      includeOrganizations: false,
    });
    const result = evidence.assumeResults?.[twoHopChain.key];
    expect(result).toMatchObject({
      status: 'ok',
      accountId: '999999999999',
    });
    expect(result?.message).toContain('999999999999');
    expect(result?.message).toContain(TARGET);
  });

  it('does not retry AccessDenied and reports the hop that failed', async () => {
    assumeSucceeds();
    sts
      .on(AssumeRoleCommand, { RoleArn: TARGET_ROLE })
      .rejects(
        sdkError(
          'AccessDenied',
          `User: arn:aws:sts::${MGMT}:assumed-role/capa-hub/capa-hub is not authorized to perform: sts:AssumeRole on resource: ${TARGET_ROLE}`,
          403,
        ),
      );
    const { g } = gatherer();
    const evidence = await g.gather(plan({ chains: [twoHopChain] }), {
      managementAccountId: () => MGMT,
      includeOrganizations: false,
    });
    expect(evidence.assumeResults?.[twoHopChain.key]).toMatchObject({
      status: 'denied',
      failedHop: 1,
    });
    expect(
      sts.commandCalls(AssumeRoleCommand, { RoleArn: TARGET_ROLE }),
    ).toHaveLength(1);
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(0);
  });

  it('retries throttling with backoff, then succeeds', async () => {
    assumeSucceeds();
    sts
      .on(AssumeRoleCommand, { RoleArn: INTERMEDIATE })
      .rejectsOnce(sdkError('Throttling', 'Rate exceeded'))
      .rejectsOnce(sdkError('TooManyRequestsException', 'slow down', 429))
      .resolves({ Credentials: { ...HOP1, Expiration: new Date() } });
    const { g, lines } = gatherer();
    const evidence = await g.gather(plan({ chains: [twoHopChain] }), {
      managementAccountId: MGMT,
      includeOrganizations: false,
    });
    expect(evidence.assumeResults?.[twoHopChain.key]?.status).toBe('ok');
    expect(
      sts.commandCalls(AssumeRoleCommand, { RoleArn: INTERMEDIATE }),
    ).toHaveLength(3);
    expect(lines.filter(l => l.includes('retry'))).toHaveLength(2);
  });

  it('reports throttled when throttling outlasts maxAttempts', async () => {
    sts
      .on(AssumeRoleCommand)
      .rejects(sdkError('RequestLimitExceeded', 'Rate exceeded'));
    const { g } = gatherer({ maxAttempts: 3 });
    const evidence = await g.gather(plan({ chains: [twoHopChain] }), {
      managementAccountId: MGMT,
      includeOrganizations: false,
    });
    expect(evidence.assumeResults?.[twoHopChain.key]).toMatchObject({
      status: 'throttled',
      failedHop: 0,
    });
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(3);
  });

  it('does not retry expired credentials, and treats expired root credentials as no credentials', async () => {
    assumeRejectsExpired();
    const { g, lines } = gatherer();
    const evidence = await g.gather(plan({ chains: [twoHopChain] }), {
      managementAccountId: MGMT,
      includeOrganizations: false,
    });
    expect(evidence.assumeResults).toBeUndefined();
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    expect(
      lines.some(
        l => l.startsWith('warn') && l.includes('ExpiredTokenException'),
      ),
    ).toBe(true);
  });

  it('says which accounts had their credentials refused, until a forced gather finds them usable again', async () => {
    assumeRejectsExpired();
    const { g } = gatherer();
    const options = {
      managementAccountId: MGMT,
      includeOrganizations: false,
      force: true,
    };
    const refused = await g.gather(plan({ chains: [twoHopChain] }), options);
    expect(refused.credentialProblems).toEqual({
      [MGMT]: expect.stringContaining('ExpiredTokenException'),
    });
    // A plan that does not use the management account's credentials says nothing of them.
    expect(
      (await g.gather(plan({ chains: [] }), options)).credentialProblems,
    ).toBeUndefined();

    sts.reset();
    assumeSucceeds();
    const renewed = await g.gather(plan({ chains: [twoHopChain] }), options);
    expect(renewed.credentialProblems).toBeUndefined();
    expect(renewed.assumeResults?.[twoHopChain.key]).toMatchObject({
      status: 'ok',
    });
  });

  describe('EKS clusters', () => {
    const eksPlan = (name = 'staging_web') => ({
      key: `${twoHopChain.key}|eu-west-1|${name}`,
      chainKey: twoHopChain.key,
      region: 'eu-west-1',
      name,
    });
    const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nx\n').toString(
      'base64',
    );

    it('reads endpoint and CA with the credentials the chain ends in, without assuming it again', async () => {
      assumeSucceeds();
      eks.on(DescribeClusterCommand).resolves({
        cluster: {
          name: 'staging_web',
          endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
          certificateAuthority: { data: CA },
        },
      });
      const { g, made, entries, ttls } = gatherer();
      const evidence = await g.gather(
        plan({ chains: [twoHopChain], eksClusters: [eksPlan()] }),
        { managementAccountId: MGMT, includeOrganizations: false },
      );
      expect(evidence.eksClusters?.[eksPlan().key]).toMatchObject({
        status: 'found',
        endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
        certificateAuthorityData: CA,
      });
      expect(
        eks.commandCalls(DescribeClusterCommand).map(c => c.args[0].input),
      ).toEqual([{ name: 'staging_web' }]);
      // Signed by the last hop's session, in the cluster's region; the chain was assumed once.
      const client = made.find(m => m.service === 'eks')!;
      expect(client.options.region).toBe('eu-west-1');
      expect(client.options.principal).toBe(`hop:1:${TARGET_ROLE}`);
      expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
      // Kept a day, and never with credentials in it.
      const eksKeys = [...ttls.keys()].filter(k => k.includes(':eks:'));
      expect(eksKeys).toHaveLength(1);
      expect(ttls.get(eksKeys[0])).toBe(24 * 60 * 60 * 1000);
      expectNoSecrets(evidence, [...entries.values()]);
    });

    it('looks nothing up when the chain failed, and says not-found and denied in words', async () => {
      assumeRejectsExpired();
      const { g } = gatherer();
      const failed = await g.gather(
        plan({ chains: [twoHopChain], eksClusters: [eksPlan()] }),
        { managementAccountId: MGMT, includeOrganizations: false },
      );
      expect(failed.eksClusters).toBeUndefined();
      expect(eks.commandCalls(DescribeClusterCommand)).toHaveLength(0);

      sts.reset();
      assumeSucceeds();
      eks
        .on(DescribeClusterCommand, { name: 'gone' })
        .rejects(
          sdkError('ResourceNotFoundException', 'No cluster found', 404),
        );
      eks
        .on(DescribeClusterCommand, { name: 'secret' })
        .rejects(sdkError('AccessDeniedException', 'not authorized', 403));
      const { g: g2 } = gatherer();
      const evidence = await g2.gather(
        plan({
          chains: [twoHopChain],
          eksClusters: [eksPlan('gone'), eksPlan('secret')],
        }),
        { managementAccountId: MGMT, includeOrganizations: false },
      );
      expect(evidence.eksClusters?.[eksPlan('gone').key]).toMatchObject({
        status: 'not-found',
        message: expect.stringContaining('no EKS cluster gone in eu-west-1'),
      });
      expect(evidence.eksClusters?.[eksPlan('secret').key]).toMatchObject({
        status: 'access-denied',
        message: expect.stringContaining('eks:DescribeCluster'),
      });
    });

    it('is off with eksClusters: false', async () => {
      assumeSucceeds();
      const { g } = gatherer({ eksClusters: false });
      const evidence = await g.gather(
        plan({ chains: [twoHopChain], eksClusters: [eksPlan()] }),
        { managementAccountId: MGMT, includeOrganizations: false },
      );
      expect(evidence.eksClusters).toBeUndefined();
      expect(eks.commandCalls(DescribeClusterCommand)).toHaveLength(0);
    });
  });

  it('reports refused credentials to every forced gather running at the time', async () => {
    assumeRejectsExpired();
    const { g } = gatherer();
    const options = {
      managementAccountId: MGMT,
      includeOrganizations: false,
      force: true,
    };
    // Two "Verify now" at once (two accounts behind one management account): neither wipes the other's finding.
    const [a, b] = await Promise.all([
      g.gather(plan({ chains: [twoHopChain] }), options),
      g.gather(plan({ chains: [twoHopChain] }), options),
    ]);
    expect(a.credentialProblems).toEqual({ [MGMT]: expect.any(String) });
    expect(b.credentialProblems).toEqual({ [MGMT]: expect.any(String) });
  });

  it('asks STS in the partition of the root principal for a chain without role hops', async () => {
    sts.on(GetCallerIdentityCommand).resolves({
      Account: MGMT,
      Arn: `arn:aws-us-gov:sts::${MGMT}:assumed-role/controllers/x`,
    });
    const { g, made } = gatherer({ region: 'us-gov-west-1' });
    const chain: ChainPlan = {
      key: 'mgmt-gov/AWSClusterControllerIdentity/default',
      hops: [],
      rootPrincipalArn: `arn:aws-us-gov:iam::${MGMT}:role/controllers.cluster-api-provider-aws.sigs.k8s.io`,
      expectedAccountId: MGMT,
    };
    const evidence = await g.gather(plan({ chains: [chain] }), {
      managementAccountId: MGMT,
      includeOrganizations: false,
      force: true,
    });
    expect(evidence.assumeResults?.[chain.key]?.status).toBe('ok');
    expect(made.find(m => m.service === 'sts')?.options.region).toBe(
      'us-gov-west-1',
    );
    expect(evidence.credentialProblems).toBeUndefined();
  });

  it('caches: a second gather makes no AWS calls, force makes new ones, concurrent gathers share calls', async () => {
    assumeSucceeds();
    getRoleSucceeds();
    const { g } = gatherer();
    const p = plan({ roleArns: [TARGET_ROLE], chains: [twoHopChain] });
    const opts = { managementAccountId: MGMT, includeOrganizations: false };

    const [a, b] = await Promise.all([g.gather(p, opts), g.gather(p, opts)]);
    expect(a).toEqual(b);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2); // 2 hops, once
    expect(iam.commandCalls(GetRoleCommand)).toHaveLength(1);

    const again = await g.gather(p, opts);
    expect(again).toEqual(a);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    expect(iam.commandCalls(GetRoleCommand)).toHaveLength(1);

    await g.gather(p, { ...opts, force: true });
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(4);
    expect(iam.commandCalls(GetRoleCommand)).toHaveLength(2);
  });

  it('a changed ExternalId is a different chain (no stale cache hit)', async () => {
    assumeSucceeds();
    const { g } = gatherer();
    const opts = { managementAccountId: MGMT, includeOrganizations: false };
    await g.gather(plan({ chains: [twoHopChain] }), opts);
    const changed = {
      ...twoHopChain,
      hops: [
        twoHopChain.hops[0],
        { ...twoHopChain.hops[1], externalId: 'other' },
      ],
    };
    await g.gather(plan({ chains: [changed] }), opts);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(4);
  });

  it('skips a chain rooted in a static identity (its Secret is never read)', async () => {
    const { g } = gatherer();
    const chain: ChainPlan = {
      key: 'static',
      rootStaticSecret: 'capa-system/static-creds',
      hops: [twoHopChain.hops[1]],
      expectedAccountId: TARGET,
    };
    const evidence = await g.gather(plan({ chains: [chain] }), {
      managementAccountId: MGMT,
      includeOrganizations: false,
    });
    expect(evidence.assumeResults).toBeUndefined();
    expect(sts.calls()).toHaveLength(0);
  });

  it('starts a chain from the account of its rootPrincipalArn, sends the session policy, and generates a defaulted session name', async () => {
    assumeSucceeds();
    const { g, made } = gatherer();
    const chain: ChainPlan = {
      ...twoHopChain,
      rootPrincipalArn: CONTROLLERS,
      hops: [
        {
          roleArn: INTERMEDIATE,
          sessionName: 'capa-portal-verify',
          sessionNameDefaulted: true,
          durationSeconds: 900,
        },
        {
          ...twoHopChain.hops[1],
          policy: '{"Version":"2012-10-17","Statement":[]}',
        },
      ],
    };
    const evidence = await g.gather(plan({ chains: [chain] }), {
      includeOrganizations: false,
    });
    expect(evidence.assumeResults?.[chain.key]?.status).toBe('ok');
    const [first, second] = sts
      .commandCalls(AssumeRoleCommand)
      .map(c => c.args[0].input);
    expect(first.RoleSessionName).toMatch(/^\d{19}$/); // aws-sdk-go's default: UTC nanoseconds
    expect(first).not.toHaveProperty('Policy');
    expect(second).toMatchObject({
      Policy: '{"Version":"2012-10-17","Statement":[]}',
      ExternalId: 'ext 123+/=',
    });
    expect(made.find(m => m.service === 'sts')?.options.principal).toBe(MGMT);
    // the generated session name does not defeat the cache
    await g.gather(plan({ chains: [chain] }), { includeOrganizations: false });
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it('keeps at most `concurrency` AWS requests in flight', async () => {
    // Each GetRole is held until the test releases it, so what is in flight is counted, never timed.
    let inFlight = 0;
    let maxInFlight = 0;
    let started = 0;
    const held: Array<() => void> = [];
    iam.on(GetRoleCommand).callsFake(async input => {
      started++;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise<void>(release => held.push(release));
      inFlight--;
      return {
        Role: {
          RoleName: input.RoleName,
          Arn: `arn:aws:iam::${TARGET}:role/${input.RoleName}`,
          Path: '/',
          RoleId: 'x',
          CreateDate: new Date(),
          AssumeRolePolicyDocument: encodeURIComponent(
            JSON.stringify(TRUST_POLICY),
          ),
        },
      };
    });
    const settle = async () => {
      for (let i = 0; i < 20; i++) await new Promise(r => setImmediate(r));
    };
    const { g } = gatherer({ concurrency: 3 });
    const roles = Array.from(
      { length: 20 },
      (_, i) => `arn:aws:iam::${TARGET}:role/r${i}`,
    );
    const gathering = g.gather(plan({ roleArns: roles }), {
      includeOrganizations: false,
    });
    await settle();
    // Three held, and no fourth started while they are.
    expect(inFlight).toBe(3);
    expect(started).toBe(3);
    for (let releases = 0; held.length > 0 && releases < 100; releases++) {
      held.shift()!();
      await settle();
      expect(inFlight).toBeLessThanOrEqual(3);
    }
    const evidence = await gathering;
    expect(started).toBe(20);
    expect(Object.keys(evidence.targetRoles ?? {})).toHaveLength(20);
    expect(maxInFlight).toBe(3);
  });

  it('never lets credentials into results, errors, logs or the cache', async () => {
    assumeSucceeds();
    // A (hypothetical) service echoing request material back in its error message.
    sts
      .on(AssumeRoleCommand, { RoleArn: TARGET_ROLE })
      .rejects(
        sdkError(
          'InvalidClientTokenId',
          `The security token ${HOP1.SessionToken} for ${HOP1.AccessKeyId} / ${HOP1.SecretAccessKey} is invalid`,
          403,
        ),
      );
    iam
      .on(GetRoleCommand)
      .rejects(
        sdkError(
          'SignatureDoesNotMatch',
          `Credential=${TARGET_KEY_ID}/20250101/us-east-1/iam signature ${TARGET_SECRET}`,
          403,
        ),
      );
    iam
      .on(SimulatePrincipalPolicyCommand)
      .rejects(sdkError('InternalFailure', `oops ${MGMT_KEY_ID}`, 500));
    const { g, lines, entries } = gatherer({ maxAttempts: 2 });
    const evidence = await g.gather(
      plan({
        roleArns: [TARGET_ROLE],
        simulations: [
          { key: 's', principalArn: CONTROLLERS, roleArn: TARGET_ROLE },
        ],
        chains: [twoHopChain],
      }),
      { managementAccountId: MGMT, includeOrganizations: false },
    );
    expect(evidence.assumeResults?.[twoHopChain.key]).toMatchObject({
      status: 'error',
      failedHop: 1,
    });
    expect(evidence.simulations?.s?.decision).toBe('error');
    expectNoSecrets(evidence, lines, entries);
  });

  it('lists Organizations accounts across 3 pages', async () => {
    orgs
      .on(ListAccountsCommand)
      .resolvesOnce({
        Accounts: [
          {
            Id: MGMT,
            Name: 'management',
            Email: 'm@example.com',
            Status: 'ACTIVE',
          },
        ],
        NextToken: 't1',
      })
      .resolvesOnce({
        Accounts: [
          {
            Id: TARGET,
            Name: 'staging',
            Email: 's@example.com',
            Status: 'ACTIVE',
          },
        ],
        NextToken: 't2',
      })
      .resolvesOnce({
        Accounts: [{ Id: UNCONFIGURED, Name: 'old', Status: 'SUSPENDED' }],
      });
    const { g } = gatherer();
    const accounts = await g.listOrganizationAccounts();
    expect(accounts).toEqual([
      {
        accountId: MGMT,
        name: 'management',
        email: 'm@example.com',
        status: 'ACTIVE',
      },
      {
        accountId: TARGET,
        name: 'staging',
        email: 's@example.com',
        status: 'ACTIVE',
      },
      { accountId: UNCONFIGURED, name: 'old', status: 'SUSPENDED' },
    ]);
    expect(
      orgs.commandCalls(ListAccountsCommand).map(c => c.args[0].input),
    ).toEqual([{}, { NextToken: 't1' }, { NextToken: 't2' }]);
    // cached, and part of gather
    const evidence = await g.gather(plan({}));
    expect(evidence.organizationAccounts).toHaveLength(3);
    expect(orgs.commandCalls(ListAccountsCommand)).toHaveLength(3);
  });

  it('returns undefined and logs why when Organizations denies ListAccounts', async () => {
    orgs
      .on(ListAccountsCommand)
      .rejects(
        sdkError(
          'AccessDeniedException',
          'You don’t have permissions to access this resource.',
          403,
        ),
      );
    const { g, lines } = gatherer();
    expect(await g.listOrganizationAccounts()).toBeUndefined();
    expect(orgs.commandCalls(ListAccountsCommand)).toHaveLength(1);
    expect(
      lines.some(
        l => l.startsWith('warn') && l.includes('AccessDeniedException'),
      ),
    ).toBe(true);
  });
});

describe('DefaultAwsEvidenceGatherer shared hops', () => {
  beforeEach(() => {
    sts.reset();
    iam.reset();
    orgs.reset();
  });

  it('assumes a hop shared by several chains once per gather, and each distinct chain at most once per TTL', async () => {
    assumeSucceeds();
    const { g } = gatherer();
    // The hub chain and a second nested chain through the same hub (another session name at hop 2).
    const hubChain: ChainPlan = {
      key: 'mgmt-eu/AWSClusterRoleIdentity/hub',
      hops: [twoHopChain.hops[0]],
      expectedAccountId: MGMT,
    };
    const otherChain: ChainPlan = {
      ...twoHopChain,
      key: 'mgmt-eu/AWSClusterRoleIdentity/staging-2',
      hops: [
        twoHopChain.hops[0],
        { ...twoHopChain.hops[1], sessionName: 'staging-2' },
      ],
    };
    const chains = [hubChain, twoHopChain, otherChain];
    const evidence = await g.gather(plan({ chains }), {
      managementAccountId: MGMT,
      includeOrganizations: false,
    });
    expect(Object.keys(evidence.assumeResults ?? {}).sort()).toEqual(
      chains.map(c => c.key).sort(),
    );
    const assumed = sts
      .commandCalls(AssumeRoleCommand)
      .map(c => c.args[0].input.RoleSessionName);
    // The hub once (not three times), then each target session.
    expect(assumed.sort()).toEqual(['capa-hub', 'staging', 'staging-2']);
    expect(assumed.length).toBeLessThanOrEqual(chains.length);

    // Within the TTL: no AWS call at all.
    sts.resetHistory();
    await g.gather(plan({ chains }), {
      managementAccountId: MGMT,
      includeOrganizations: false,
    });
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it('reports a failed shared hop on every chain that needs it', async () => {
    sts
      .on(AssumeRoleCommand, { RoleArn: INTERMEDIATE })
      .rejects(sdkError('AccessDenied', 'not authorized to assume capa-hub'));
    const { g } = gatherer();
    const otherChain: ChainPlan = {
      ...twoHopChain,
      key: 'mgmt-eu/AWSClusterRoleIdentity/staging-2',
    };
    const evidence = await g.gather(
      plan({ chains: [twoHopChain, otherChain] }),
      { managementAccountId: MGMT, includeOrganizations: false },
    );
    for (const key of [twoHopChain.key, otherChain.key]) {
      expect(evidence.assumeResults?.[key]).toMatchObject({
        status: 'denied',
        failedHop: 0,
      });
    }
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
  });
});
