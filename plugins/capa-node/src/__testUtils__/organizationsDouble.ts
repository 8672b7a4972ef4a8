/*
 * A local HTTP test double of AWS Organizations (not an emulator): it speaks Organizations' wire protocol, AWS
 * JSON 1.1 (`POST /`, `Content-Type: application/x-amz-json-1.1`, `X-Amz-Target: AWSOrganizationsV20161128.<Action>`,
 * errors as status 400 with `{"__type": "<Code>", "Message": ...}`), so the real SDK v3 OrganizationsClient signs
 * and sends real requests to it. It answers the five list actions the gatherer uses from an in-memory organization,
 * with the request and response members of the Organizations API reference:
 * - ListAccounts {NextToken, MaxResults} -> {Accounts: [Account], NextToken}
 * - ListRoots {NextToken, MaxResults} -> {Roots: [{Id, Arn, Name, PolicyTypes}], NextToken}
 * - ListOrganizationalUnitsForParent {ParentId, ...} -> {OrganizationalUnits: [{Id, Arn, Name}], NextToken}
 * - ListAccountsForParent {ParentId, ...} -> {Accounts: [Account], NextToken}
 * - ListTagsForResource {ResourceId, NextToken} -> {Tags: [{Key, Value}], NextToken}
 * Account is {Id, Arn, Email, Name, Status, JoinedMethod, JoinedTimestamp}. A missing ParentId / ResourceId is
 * `ParentNotFoundException` / `TargetNotFoundException`. Pages are `pageSize` items (AWS allows up to 20), and
 * `emptyPages` makes each listing start with an empty page that still has a NextToken, which the API reference
 * says Organizations "can occasionally" return.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';

export interface DoubleAccount {
  id: string;
  name: string;
  email: string;
  status: 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE';
  /** The root or OU id the account is in. */
  parent: string;
  tags?: Record<string, string>;
}

export interface DoubleOrganization {
  roots: Array<{ id: string; name: string }>;
  units: Array<{ id: string; name: string; parent: string }>;
  accounts: DoubleAccount[];
}

export interface OrganizationsCall {
  action: string;
  input: Record<string, any>;
  /** The access key id of the request's SigV4 signature. */
  keyId?: string;
}

const ORG_ID = 'o-exampleorgid';
const MGMT = '999999999999';

export async function startOrganizationsDouble(
  org: DoubleOrganization,
  options: {
    pageSize?: number;
    emptyPages?: boolean;
    /** Actions answered with AccessDeniedException. */
    deny?: string[];
  } = {},
) {
  const pageSize = options.pageSize ?? 20;
  const calls: OrganizationsCall[] = [];
  const account = (a: DoubleAccount) => ({
    Id: a.id,
    Arn: `arn:aws:organizations::${MGMT}:account/${ORG_ID}/${a.id}`,
    Email: a.email,
    Name: a.name,
    Status: a.status,
    JoinedMethod: 'CREATED',
    JoinedTimestamp: 1700000000,
  });
  /** One page of `items` under the request's NextToken (an offset, opaque to the client). */
  function page<T>(key: string, items: T[], input: Record<string, any>) {
    const token = String(input.NextToken ?? '');
    if (options.emptyPages && !token) return { [key]: [], NextToken: 'start' };
    const offset = token && token !== 'start' ? Number(token) : 0;
    const size = Math.min(pageSize, Number(input.MaxResults ?? pageSize));
    const next = offset + size;
    return {
      [key]: items.slice(offset, next),
      ...(next < items.length ? { NextToken: String(next) } : {}),
    };
  }
  const parentExists = (id: unknown) =>
    org.roots.some(r => r.id === id) || org.units.some(u => u.id === id);

  function answer(action: string, input: Record<string, any>) {
    if (options.deny?.includes(action))
      return error(
        'AccessDeniedException',
        `You don't have permissions to access this resource (organizations:${action}).`,
      );
    switch (action) {
      case 'ListAccounts':
        return ok(page('Accounts', org.accounts.map(account), input));
      case 'ListRoots':
        return ok(
          page(
            'Roots',
            org.roots.map(r => ({
              Id: r.id,
              Arn: `arn:aws:organizations::${MGMT}:root/${ORG_ID}/${r.id}`,
              Name: r.name,
              PolicyTypes: [],
            })),
            input,
          ),
        );
      case 'ListOrganizationalUnitsForParent':
        if (!parentExists(input.ParentId))
          return error(
            'ParentNotFoundException',
            "We can't find a root or OU with the ParentId that you specified.",
          );
        return ok(
          page(
            'OrganizationalUnits',
            org.units
              .filter(u => u.parent === input.ParentId)
              .map(u => ({
                Id: u.id,
                Arn: `arn:aws:organizations::${MGMT}:ou/${ORG_ID}/${u.id}`,
                Name: u.name,
              })),
            input,
          ),
        );
      case 'ListAccountsForParent':
        if (!parentExists(input.ParentId))
          return error(
            'ParentNotFoundException',
            "We can't find a root or OU with the ParentId that you specified.",
          );
        return ok(
          page(
            'Accounts',
            org.accounts.filter(a => a.parent === input.ParentId).map(account),
            input,
          ),
        );
      case 'ListTagsForResource': {
        const a = org.accounts.find(x => x.id === input.ResourceId);
        if (!a)
          return error(
            'TargetNotFoundException',
            "We can't find a root, OU, account, or policy with the TargetId that you specified.",
          );
        return ok(
          page(
            'Tags',
            Object.entries(a.tags ?? {}).map(([Key, Value]) => ({
              Key,
              Value,
            })),
            input,
          ),
        );
      }
      default:
        return error(
          'UnknownOperationException',
          `not in this test double: ${action}`,
        );
    }
  }

  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', d => (body += d));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const [prefix, action] = target.split('.');
      const input = body ? JSON.parse(body) : {};
      calls.push({
        action,
        input,
        keyId: /Credential=([^/]+)\//.exec(
          String(req.headers.authorization),
        )?.[1],
      });
      const out =
        prefix !== 'AWSOrganizationsV20161128' ||
        req.headers['content-type'] !== 'application/x-amz-json-1.1'
          ? error(
              'UnknownOperationException',
              `bad target or content type: ${target}`,
            )
          : answer(action, input);
      res.writeHead(out.status, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': `req-${calls.length}`,
        ...(out.status !== 200 ? { 'x-amzn-errortype': out.code } : {}),
      });
      res.end(JSON.stringify(out.body));
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}

function ok(body: object) {
  return { status: 200, body, code: undefined as string | undefined };
}

function error(code: string, message: string) {
  return { status: 400, body: { __type: code, Message: message }, code };
}
