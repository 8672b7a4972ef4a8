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

export async function startAwsDouble(options: {
  latencyMs: number;
  managementAccounts: string[];
  organizationAccounts?: Array<{ accountId: string; name?: string }>;
}): Promise<AwsDouble> {
  const calls: Record<string, number> = {};
  let session = 0;
  // The hop that issued each access key: GetCallerIdentity answers with the last hop's role.
  const roleOfKey = new Map<string, string>();
  const policy = trustPolicy(options.managementAccounts);

  const answer = (
    action: string,
    params: Record<string, string>,
    keyId: string | undefined,
  ): { status: number; type: string; body: string } => {
    const xml = (body: string) => ({
      status: 200,
      type: 'text/xml',
      body,
    });
    switch (action) {
      case 'AssumeRole': {
        const n = ++session;
        const id = `ASIA${String(n).padStart(16, '0')}`;
        const roleArn = params.RoleArn ?? '';
        roleOfKey.set(id, roleArn);
        const assumed = roleArn
          .replace(':iam::', ':sts::')
          .replace(':role/', ':assumed-role/');
        return xml(
          `<AssumeRoleResponse xmlns="${STS_NS}"><AssumeRoleResult><Credentials><AccessKeyId>${id}</AccessKeyId><SecretAccessKey>benchSecret${n}FAKEbenchSecretFAKE</SecretAccessKey><SessionToken>bench-session-${n}-FAKE</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>${xmlEscape(
            assumed,
          )}/${xmlEscape(
            params.RoleSessionName ?? 's',
          )}</Arn><AssumedRoleId>AROABENCH:s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r${n}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
        );
      }
      case 'GetCallerIdentity': {
        const role = (keyId && roleOfKey.get(keyId)) || '';
        const account = role
          ? accountOf(role)
          : options.managementAccounts[0] ?? '000000000000';
        const arn = role
          ? `${role
              .replace(':iam::', ':sts::')
              .replace(':role/', ':assumed-role/')}/s`
          : `arn:aws:iam::${account}:user/bench`;
        return xml(
          `<GetCallerIdentityResponse xmlns="${STS_NS}"><GetCallerIdentityResult><Arn>${xmlEscape(
            arn,
          )}</Arn><UserId>AROABENCH:s</UserId><Account>${account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
        );
      }
      case 'GetRole': {
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
          )}</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate><AssumeRolePolicyDocument>${policy}</AssumeRolePolicyDocument><MaxSessionDuration>3600</MaxSessionDuration></Role></GetRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetRoleResponse>`,
        );
      }
      case 'SimulatePrincipalPolicy': {
        const resource = params['ResourceArns.member.1'] ?? '';
        return xml(
          `<SimulatePrincipalPolicyResponse xmlns="${IAM_NS}"><SimulatePrincipalPolicyResult><IsTruncated>false</IsTruncated><EvaluationResults><member><EvalActionName>sts:AssumeRole</EvalActionName><EvalResourceName>${xmlEscape(
            resource,
          )}</EvalResourceName><EvalDecision>allowed</EvalDecision><MatchedStatements><member><SourcePolicyId>capa-assume</SourcePolicyId><SourcePolicyType>IAM Policy</SourcePolicyType></member></MatchedStatements><MissingContextValues/></member></EvaluationResults></SimulatePrincipalPolicyResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></SimulatePrincipalPolicyResponse>`,
        );
      }
      default:
        return {
          status: 400,
          type: 'text/xml',
          body: `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>not served by the bench double: ${xmlEscape(
            action,
          )}</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
        };
    }
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', d => chunks.push(d));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const target = String(req.headers['x-amz-target'] ?? '');
      const keyId = /Credential=([^/]+)\//.exec(
        String(req.headers.authorization),
      )?.[1];
      let out: { status: number; type: string; body: string };
      let action: string;
      const eks = /^\/clusters\/([^/?]+)/.exec(req.url ?? '');
      if (req.method === 'GET' && eks) {
        // EKS DescribeCluster (REST JSON): a cluster with its endpoint and a CA.
        action = 'DescribeCluster';
        const name = decodeURIComponent(eks[1]);
        out = {
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
      } else if (target.endsWith('.ListAccounts')) {
        action = 'ListAccounts';
        out = {
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
      } else {
        const params = Object.fromEntries(new URLSearchParams(body));
        action = params.Action ?? '?';
        out = answer(action, params, keyId);
      }
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
