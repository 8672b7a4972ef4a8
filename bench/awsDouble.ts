/*
 * A local HTTP test double of STS, IAM and Organizations for the trust benchmark (not an AWS emulator): it
 * answers the four query-protocol actions the evidence gatherer sends (AssumeRole, GetCallerIdentity, GetRole,
 * SimulatePrincipalPolicy) and Organizations ListAccounts (JSON protocol), each after a fixed latency, and
 * counts every call per action. The real SDK v3 clients sign real requests against it (see
 * plugins/capa-node/src/aws/AwsEvidenceGatherer.endpoint.test.ts for the STS-only version it extends).
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';

export interface AwsDouble {
  endpoint: string;
  calls: Record<string, number>;
  close(): Promise<void>;
}

const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';

function xmlEscape(s: string) {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function accountOf(arn: string): string {
  return arn.split(':')[4] ?? '000000000000';
}

/** Trust policy of every target role: trusts the management accounts' controllers and hub roles. */
function trustPolicy(managementAccounts: string[]): string {
  return encodeURIComponent(
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: {
            AWS: managementAccounts.flatMap(a => [
              `arn:aws:iam::${a}:role/controllers.cluster-api-provider-aws.sigs.k8s.io`,
              `arn:aws:iam::${a}:role/capa-hub-1`,
              `arn:aws:iam::${a}:role/capa-hub-2`,
            ]),
          },
          Action: 'sts:AssumeRole',
        },
      ],
    }),
  );
}

interface DoubleOptions {
  latencyMs: number;
  managementAccounts: string[];
  organizationAccounts?: Array<{ accountId: string; name?: string }>;
}

/** What the double remembers between calls: the session counter and the role each issued key belongs to. */
interface DoubleState {
  session: number;
  /** The hop that issued each access key: GetCallerIdentity answers with the last hop's role. */
  roleOfKey: Map<string, string>;
  /** The (URL-encoded) trust policy every role has. */
  policy: string;
}

interface Answer {
  status: number;
  type: string;
  body: string;
}

const xml = (body: string): Answer => ({ status: 200, type: 'text/xml', body });

/** `arn:aws:iam::1:role/r` -> `arn:aws:sts::1:assumed-role/r` (STS's ARN of a session of the role). */
const assumedRoleArn = (roleArn: string) =>
  roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/');

function assumeRole(state: DoubleState, params: Record<string, string>) {
  const n = ++state.session;
  const id = `ASIA${String(n).padStart(16, '0')}`;
  const roleArn = params.RoleArn ?? '';
  state.roleOfKey.set(id, roleArn);
  return xml(
    `<AssumeRoleResponse xmlns="${STS_NS}"><AssumeRoleResult><Credentials><AccessKeyId>${id}</AccessKeyId><SecretAccessKey>benchSecret${n}FAKEbenchSecretFAKE</SecretAccessKey><SessionToken>bench-session-${n}-FAKE</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>${xmlEscape(
      assumedRoleArn(roleArn),
    )}/${xmlEscape(
      params.RoleSessionName ?? 's',
    )}</Arn><AssumedRoleId>AROABENCH:s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r${n}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
  );
}

function getCallerIdentity(
  state: DoubleState,
  keyId: string | undefined,
  managementAccounts: string[],
) {
  const role = (keyId && state.roleOfKey.get(keyId)) || '';
  const account = role
    ? accountOf(role)
    : managementAccounts[0] ?? '000000000000';
  const arn = role
    ? `${assumedRoleArn(role)}/s`
    : `arn:aws:iam::${account}:user/bench`;
  return xml(
    `<GetCallerIdentityResponse xmlns="${STS_NS}"><GetCallerIdentityResult><Arn>${xmlEscape(
      arn,
    )}</Arn><UserId>AROABENCH:s</UserId><Account>${account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
  );
}

function getRole(
  state: DoubleState,
  params: Record<string, string>,
  keyId: string | undefined,
) {
  const name = params.RoleName ?? '';
  // The role is read in its own account with that account's credentials (bench keys are
  // `AKIABNCH<account id>`): the ARN's account comes from the key.
  const acct = (keyId?.startsWith('AKIABNCH') && keyId.slice(8)) || '';
  const arn = `arn:aws:iam::${acct}:role/${name}`;
  return xml(
    `<GetRoleResponse xmlns="${IAM_NS}"><GetRoleResult><Role><Path>/</Path><RoleName>${xmlEscape(
      name,
    )}</RoleName><RoleId>AROABENCHROLE</RoleId><Arn>${xmlEscape(
      arn,
    )}</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate><AssumeRolePolicyDocument>${
      state.policy
    }</AssumeRolePolicyDocument><MaxSessionDuration>3600</MaxSessionDuration></Role></GetRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetRoleResponse>`,
  );
}

function simulatePrincipalPolicy(params: Record<string, string>) {
  const resource = params['ResourceArns.member.1'] ?? '';
  return xml(
    `<SimulatePrincipalPolicyResponse xmlns="${IAM_NS}"><SimulatePrincipalPolicyResult><IsTruncated>false</IsTruncated><EvaluationResults><member><EvalActionName>sts:AssumeRole</EvalActionName><EvalResourceName>${xmlEscape(
      resource,
    )}</EvalResourceName><EvalDecision>allowed</EvalDecision><MatchedStatements><member><SourcePolicyId>capa-assume</SourcePolicyId><SourcePolicyType>IAM Policy</SourcePolicyType></member></MatchedStatements><MissingContextValues/></member></EvaluationResults></SimulatePrincipalPolicyResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></SimulatePrincipalPolicyResponse>`,
  );
}

/** The query-protocol actions (STS and IAM): the form-encoded `Action` picks the answer. */
function queryAnswer(
  state: DoubleState,
  options: DoubleOptions,
  action: string,
  params: Record<string, string>,
  keyId: string | undefined,
): Answer {
  switch (action) {
    case 'AssumeRole':
      return assumeRole(state, params);
    case 'GetCallerIdentity':
      return getCallerIdentity(state, keyId, options.managementAccounts);
    case 'GetRole':
      return getRole(state, params, keyId);
    case 'SimulatePrincipalPolicy':
      return simulatePrincipalPolicy(params);
    default:
      return {
        status: 400,
        type: 'text/xml',
        body: `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>not served by the bench double: ${xmlEscape(
          action,
        )}</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
      };
  }
}

/** EKS DescribeCluster (REST JSON): a cluster with its endpoint and a CA. */
function describeCluster(name: string): Answer {
  return {
    status: 200,
    type: 'application/json',
    body: JSON.stringify({
      cluster: {
        name,
        endpoint: `https://${Buffer.from(name)
          .toString('hex')
          .slice(0, 32)
          .toUpperCase()}.gr7.eu-west-1.eks.amazonaws.com`,
        certificateAuthority: {
          data: Buffer.from(
            `-----BEGIN CERTIFICATE-----\nbench ${name}\n-----END CERTIFICATE-----\n`,
          ).toString('base64'),
        },
        status: 'ACTIVE',
      },
    }),
  };
}

/** Organizations ListAccounts (JSON protocol): every account of the organization in one page. */
function listAccounts(options: DoubleOptions): Answer {
  return {
    status: 200,
    type: 'application/x-amz-json-1.1',
    body: JSON.stringify({
      Accounts: (options.organizationAccounts ?? []).map(a => ({
        Id: a.accountId,
        Arn: `arn:aws:organizations::${options.managementAccounts[0]}:account/o-bench/${a.accountId}`,
        Name: a.name ?? a.accountId,
        Email: `aws+${a.accountId}@example.com`,
        Status: 'ACTIVE',
      })),
    }),
  };
}

/** Which action a request is and its answer: EKS by path, Organizations by X-Amz-Target, the rest by Action. */
function route(
  state: DoubleState,
  options: DoubleOptions,
  req: http.IncomingMessage,
  body: string,
): { action: string; out: Answer } {
  const eks = /^\/clusters\/([^/?]+)/.exec(req.url ?? '');
  if (req.method === 'GET' && eks)
    return {
      action: 'DescribeCluster',
      out: describeCluster(decodeURIComponent(eks[1])),
    };
  const target = String(req.headers['x-amz-target'] ?? '');
  if (target.endsWith('.ListAccounts'))
    return { action: 'ListAccounts', out: listAccounts(options) };
  const keyId = /Credential=([^/]+)\//.exec(
    String(req.headers.authorization),
  )?.[1];
  const params = Object.fromEntries(new URLSearchParams(body));
  const action = params.Action ?? '?';
  return { action, out: queryAnswer(state, options, action, params, keyId) };
}

export async function startAwsDouble(
  options: DoubleOptions,
): Promise<AwsDouble> {
  const calls: Record<string, number> = {};
  const state: DoubleState = {
    session: 0,
    roleOfKey: new Map(),
    policy: trustPolicy(options.managementAccounts),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', d => chunks.push(d));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const { action, out } = route(state, options, req, body);
      calls[action] = (calls[action] ?? 0) + 1;
      setTimeout(() => {
        res.writeHead(out.status, {
          'content-type': out.type,
          'content-length': Buffer.byteLength(out.body),
        });
        res.end(out.body);
      }, options.latencyMs);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
