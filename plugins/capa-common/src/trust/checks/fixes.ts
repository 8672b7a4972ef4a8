/*
 * Every snippet a fix carries, built in one place: the YAML of CAPA objects and clusterawsadm
 * AWSIAMConfiguration sections, and the JSON of IAM policy statements.
 */
import { CONTROLLER_IDENTITY_NAME } from '../../model/objects';

const INFRA_V1BETA2 = 'infrastructure.cluster.x-k8s.io/v1beta2';
/** The role clusterawsadm creates in a target account (its `controllers` role with the default suffix). */
const TARGET_ROLE_ARN =
  'arn:aws:iam::<target-account-id>:role/controllers.cluster-api-provider-aws.sigs.k8s.io';
const MANAGEMENT_ROLE_ARN =
  'arn:aws:iam::<management-account-id>:role/controllers.cluster-api-provider-aws.sigs.k8s.io';

/** A YAML scalar, quoted when plain YAML would read it as something else (a bool, a number, ...). */
export function yamlScalar(v: string): string {
  return /^[A-Za-z0-9_./:*-]+$/.test(v) &&
    !/^(true|false|null|yes|no|~)$/i.test(v) &&
    !/^\d+$/.test(v)
    ? v
    : JSON.stringify(v);
}

function yamlList(indent: string, items: string[]): string {
  return items.map(i => `${indent}- ${yamlScalar(i)}`).join('\n');
}

/** AWSClusterControllerIdentity/default allowing every namespace (what CAPA auto-creates). */
export function controllerIdentityYaml(): string {
  return `apiVersion: ${INFRA_V1BETA2}\nkind: AWSClusterControllerIdentity\nmetadata:\n  name: ${CONTROLLER_IDENTITY_NAME}\nspec:\n  allowedNamespaces: {}`;
}

/** An AWSClusterRoleIdentity chained from the controller identity, admitting no namespace yet. */
export function roleIdentityYaml(name: string): string {
  return `apiVersion: ${INFRA_V1BETA2}\nkind: AWSClusterRoleIdentity\nmetadata:\n  name: ${name}\nspec:\n  roleARN: ${TARGET_ROLE_ARN}\n  sourceIdentityRef:\n    kind: AWSClusterControllerIdentity\n    name: ${CONTROLLER_IDENTITY_NAME}\n  allowedNamespaces:\n    list: []`;
}

export function sourceIdentityRefYaml(): string {
  return `spec:\n  sourceIdentityRef:\n    kind: AWSClusterControllerIdentity\n    name: ${CONTROLLER_IDENTITY_NAME}`;
}

/** A reference to the controller identity (identityRef or sourceIdentityRef). */
export function controllerIdentityRefYaml(): string {
  return `kind: AWSClusterControllerIdentity\nname: ${CONTROLLER_IDENTITY_NAME}`;
}

export function metadataNameYaml(name: string): string {
  return `metadata:\n  name: ${name}`;
}

export function allowedNamespacesListYaml(namespaces: string[]): string {
  return [
    'spec:',
    '  allowedNamespaces:',
    '    list:',
    ...namespaces.map(n => `    - ${n}`),
  ].join('\n');
}

export function durationSecondsYaml(seconds: number): string {
  return `spec:\n  durationSeconds: ${seconds}`;
}

export function externalIdYaml(externalId: string): string {
  return `spec:\n  externalID: ${yamlScalar(externalId)}`;
}

/** An entry of the `accounts:` list of the capa configuration / fleet.yaml. */
export function accountConfigYaml(accountId: string): string {
  return `accounts:\n  - accountId: "${accountId}"\n    name: <name>`;
}

/** A clusterawsadm AWSIAMConfiguration trust statement for `<section>.trustStatements`. */
export function trustStatementYaml(
  section: string,
  sourceArn: string,
  externalId: string | undefined,
): string {
  const lines = [
    'spec:',
    `  ${section}:`,
    '    trustStatements:',
    '    - Effect: Allow',
    '      Principal:',
    '        AWS:',
    `        - ${yamlScalar(sourceArn)}`,
    '      Action:',
    '      - sts:AssumeRole',
  ];
  if (externalId) {
    lines.push(
      '      Condition:',
      '        StringEquals:',
      `          sts:ExternalId: ${yamlScalar(externalId)}`,
    );
  }
  return lines.join('\n');
}

/** A clusterawsadm AWSIAMConfiguration `<section>.extraStatements` entry allowing sts:AssumeRole on a role. */
export function assumeRolePermissionYaml(
  section: string,
  roleArn: string,
): string {
  return [
    'spec:',
    `  ${section}:`,
    '    extraStatements:',
    '    - Effect: Allow',
    '      Action:',
    '      - sts:AssumeRole',
    '      Resource:',
    yamlList('      ', [roleArn]),
  ].join('\n');
}

/** The IAM trust policy statement that lets a principal sts:AssumeRole (with its sts:ExternalId condition). */
export function trustStatementJson(
  sourceArn: string | undefined,
  externalId: string | undefined,
): string {
  const stmt: Record<string, unknown> = {
    Effect: 'Allow',
    Principal: { AWS: sourceArn ?? MANAGEMENT_ROLE_ARN },
    Action: 'sts:AssumeRole',
  };
  if (externalId)
    stmt.Condition = { StringEquals: { 'sts:ExternalId': externalId } };
  return JSON.stringify(stmt, null, 2);
}

/** An IAM identity policy allowing sts:AssumeRole on one role. */
export function assumeRolePolicyJson(roleArn: string): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: roleArn },
      ],
    },
    null,
    2,
  );
}
