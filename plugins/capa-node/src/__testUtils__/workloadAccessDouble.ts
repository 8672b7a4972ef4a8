/*
 * A local HTTP test double of the EKS and IAM calls workload access makes (not an emulator): the real SDK v3
 * EKSClient and IAMClient sign and send real requests to it, and it answers from in-memory accounts, the account
 * chosen by the SigV4 access key id of the request (each account has its own key, as in `aws.accounts`).
 * - EKS, REST-JSON (EKS API Reference): GET /clusters/{name} (DescribeCluster -> {cluster: {name, arn, identity:
 *   {oidc: {issuer}}}}); GET /clusters/{name}/pod-identity-associations?nextToken (ListPodIdentityAssociations ->
 *   {associations: [summary], nextToken}, one association per page to exercise paging); GET
 *   /clusters/{name}/pod-identity-associations/{id} (DescribePodIdentityAssociation -> {association}); a missing
 *   cluster is 404 with `x-amzn-errortype: ResourceNotFoundException`.
 * - IAM, query protocol (IAM API Reference): ListOpenIDConnectProviders -> OpenIDConnectProviderList/member/Arn;
 *   GetRole -> Role with AssumeRolePolicyDocument URL-encoded; a missing role is 404 `NoSuchEntity`.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';

const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';

export interface DoubleAssociation {
  namespace: string;
  serviceAccount: string;
  roleArn: string;
  targetRoleArn?: string;
  externalId?: string;
  disableSessionTags?: boolean;
}

export interface DoubleAccountIam {
  clusters?: Record<
    string,
    { arn: string; issuer?: string; associations: DoubleAssociation[] }
  >;
  oidcProviders?: string[];
  /** Role name -> trust policy (an object, or text sent as is). */
  roles?: Record<string, unknown>;
}

/** The access key id of an account's configured credentials. */
export const accessKeyOf = (accountId: string) => `AKIA${accountId}FAKE`;

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

type Answer = { status: number; headers: Record<string, string>; body: string };
const json = (status: number, body: unknown, type?: string): Answer => ({
  status,
  headers: {
    'content-type': 'application/json',
    ...(type ? { 'x-amzn-errortype': type } : {}),
  },
  body: JSON.stringify(body),
});
const xml = (status: number, body: string): Answer => ({
  status,
  headers: { 'content-type': 'text/xml' },
  body,
});
const iamError = (code: string, message: string) =>
  xml(
    404,
    `<ErrorResponse xmlns="${IAM_NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${esc(
      message,
    )}</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
  );

function eks(account: DoubleAccountIam | undefined, url: URL): Answer {
  const m =
    /^\/clusters\/([^/]+)(?:\/pod-identity-associations(?:\/([^/]+))?)?$/.exec(
      url.pathname,
    );
  const name = m ? decodeURIComponent(m[1]) : '';
  const cluster = account?.clusters?.[name];
  if (!m || !cluster)
    return json(
      404,
      { message: `No cluster found for name: ${name}.` },
      'ResourceNotFoundException',
    );
  const id = (i: number) => `a-${name}-${i}`;
  const full = (a: DoubleAssociation, i: number) => ({
    clusterName: name,
    namespace: a.namespace,
    serviceAccount: a.serviceAccount,
    roleArn: a.roleArn,
    associationArn: `${cluster.arn.replace(
      ':cluster/',
      ':podidentityassociation/',
    )}/${id(i)}`,
    associationId: id(i),
    createdAt: 1700000000,
    modifiedAt: 1700000000,
    ...(a.targetRoleArn
      ? { targetRoleArn: a.targetRoleArn, externalId: a.externalId ?? id(i) }
      : {}),
    disableSessionTags: a.disableSessionTags ?? false,
  });
  if (m[2]) {
    const i = cluster.associations.findIndex((_, n) => id(n) === m[2]);
    if (i < 0)
      return json(
        404,
        { message: 'association not found' },
        'ResourceNotFoundException',
      );
    return json(200, { association: full(cluster.associations[i], i) });
  }
  if (url.pathname.endsWith('/pod-identity-associations')) {
    const offset = Number(url.searchParams.get('nextToken') ?? 0);
    const page = cluster.associations.slice(offset, offset + 1).map((a, n) => {
      const {
        roleArn,
        targetRoleArn,
        externalId,
        disableSessionTags,
        ...summary
      } = full(a, offset + n) as any;
      return summary;
    });
    return json(200, {
      associations: page,
      ...(offset + 1 < cluster.associations.length
        ? { nextToken: String(offset + 1) }
        : {}),
    });
  }
  return json(200, {
    cluster: {
      name,
      arn: cluster.arn,
      status: 'ACTIVE',
      ...(cluster.issuer
        ? { identity: { oidc: { issuer: cluster.issuer } } }
        : {}),
    },
  });
}

function iam(
  accountId: string,
  account: DoubleAccountIam | undefined,
  params: Record<string, string>,
): Answer {
  if (params.Action === 'ListOpenIDConnectProviders')
    return xml(
      200,
      `<ListOpenIDConnectProvidersResponse xmlns="${IAM_NS}"><ListOpenIDConnectProvidersResult><OpenIDConnectProviderList>${(
        account?.oidcProviders ?? []
      )
        .map(a => `<member><Arn>${esc(a)}</Arn></member>`)
        .join(
          '',
        )}</OpenIDConnectProviderList></ListOpenIDConnectProvidersResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></ListOpenIDConnectProvidersResponse>`,
    );
  if (params.Action === 'GetRole') {
    const name = params.RoleName ?? '';
    const policy = account?.roles?.[name];
    if (policy === undefined)
      return iamError(
        'NoSuchEntity',
        `The role with name ${name} cannot be found.`,
      );
    const text = typeof policy === 'string' ? policy : JSON.stringify(policy);
    return xml(
      200,
      `<GetRoleResponse xmlns="${IAM_NS}"><GetRoleResult><Role><Path>/</Path><RoleName>${esc(
        name,
      )}</RoleName><RoleId>AROADOUBLE</RoleId><Arn>arn:aws:iam::${accountId}:role/${esc(
        name,
      )}</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate><AssumeRolePolicyDocument>${encodeURIComponent(
        text,
      )}</AssumeRolePolicyDocument><MaxSessionDuration>3600</MaxSessionDuration></Role></GetRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetRoleResponse>`,
    );
  }
  return iamError(
    'InvalidAction',
    `not served by the workload-access double: ${params.Action}`,
  );
}

export async function startWorkloadAccessDouble(
  accounts: Record<string, DoubleAccountIam>,
) {
  const calls: Array<{ action: string; accountId: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', d => (body += d));
    req.on('end', () => {
      const keyId =
        /Credential=([^/]+)\//.exec(String(req.headers.authorization))?.[1] ??
        '';
      const accountId = /^AKIA(\d{12})FAKE$/.exec(keyId)?.[1] ?? '';
      const url = new URL(req.url ?? '/', 'http://double');
      let out: Answer;
      if (req.method === 'GET' && url.pathname.startsWith('/clusters/')) {
        out = eks(accounts[accountId], url);
        let action = 'DescribeCluster';
        if (url.pathname.endsWith('/pod-identity-associations'))
          action = 'ListPodIdentityAssociations';
        else if (/\/pod-identity-associations\/[^/]+$/.test(url.pathname))
          action = 'DescribePodIdentityAssociation';
        calls.push({ action, accountId });
      } else {
        const params = Object.fromEntries(new URLSearchParams(body));
        out = iam(accountId, accounts[accountId], params);
        calls.push({ action: params.Action ?? '?', accountId });
      }
      res.writeHead(out.status, out.headers);
      res.end(out.body);
    });
  });
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
