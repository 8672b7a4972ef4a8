import type { ReactElement } from 'react';
import ArrowDownwardIcon from '@material-ui/icons/ArrowDownward';
import { Flex, Text } from '@backstage/ui';
import type { ChainLink } from '@capa-portal/plugin-capa-common';
import { formatDuration } from '../../lib/format';

function Field(props: { label: string; value?: string | number }) {
  if (props.value === undefined || props.value === '') return null;
  return (
    <>
      <dt style={{ fontWeight: 600 }}>{props.label}</dt>
      <dd style={{ margin: 0, wordBreak: 'break-all' }}>
        <code>{props.value}</code>
      </dd>
    </>
  );
}

function LinkBox(props: {
  link: ChainLink;
  position: string;
  runsAs?: { principalArn: string; accountId?: string };
}) {
  const { link, position, runsAs } = props;
  return (
    <div
      role="listitem"
      aria-label={`${link.kind}/${link.name}`}
      style={{
        border: link.missing
          ? '2px dashed #c62828'
          : '1px solid rgba(128,128,128,0.5)',
        borderRadius: 6,
        padding: '8px 12px',
      }}
    >
      <Flex direction="column" gap="1">
        <Flex gap="2" align="center" style={{ flexWrap: 'wrap' }}>
          <Text weight="bold">
            {link.kind}/{link.name}
          </Text>
          <Text variant="body-small" color="secondary">
            {position}
          </Text>
          {link.missing ? (
            <Text variant="body-small" color="danger" weight="bold">
              missing from the management cluster
            </Text>
          ) : null}
        </Flex>
        <dl
          style={{
            display: 'grid',
            gridTemplateColumns: 'max-content 1fr',
            columnGap: 12,
            rowGap: 2,
            margin: 0,
            fontSize: '0.85rem',
          }}
        >
          {runsAs ? (
            <>
              <Field label="Runs as" value={runsAs.principalArn} />
              <Field label="Account" value={runsAs.accountId} />
            </>
          ) : null}
          <Field label="Role ARN" value={link.roleArn} />
          <Field label="Account" value={link.accountId} />
          <Field label="External ID" value={link.externalId} />
          <Field
            label="Session duration"
            value={formatDuration(link.durationSeconds)}
          />
          <Field label="Session name" value={link.sessionName} />
          <Field label="Secret" value={link.secretRef} />
          {link.kind !== 'AWSClusterControllerIdentity' ||
          link.allowedNamespacesSummary ? (
            <Field
              label="Allowed namespaces"
              value={link.allowedNamespacesSummary ?? 'not reported'}
            />
          ) : null}
        </dl>
      </Flex>
    </div>
  );
}

function linkPosition(index: number, count: number): string {
  if (index === 0) {
    return count === 1
      ? 'root, used by the cluster'
      : 'root (source credentials)';
  }
  return index === count - 1
    ? `hop ${index}, used by the cluster`
    : `hop ${index}`;
}

/**
 * An identity chain drawn link by link, from the controller's own credentials (the root) down to the
 * identity the cluster names, each arrow one `sts:AssumeRole`.
 *
 * @public
 */
export function ChainView(props: {
  chain: ChainLink[];
  /** The management cluster's controller principal: shown on a root controller identity. */
  controllerPrincipalArn?: string;
  controllerAccountId?: string;
}): ReactElement {
  // The API lists the chain cluster-side first; draw it in the order CAPA assumes the roles.
  const links = [...props.chain].reverse();
  if (links.length === 0) {
    return <Text as="p">No chain could be resolved.</Text>;
  }
  return (
    <div role="list" aria-label="Identity chain">
      {links.map((link, index) => {
        const position = linkPosition(index, links.length);
        return (
          <div key={`${link.kind}/${link.name}/${index}`}>
            {index > 0 ? (
              <Flex
                align="center"
                gap="1"
                style={{ padding: '2px 0 2px 16px' }}
                aria-hidden
              >
                <ArrowDownwardIcon fontSize="small" />
                <Text variant="body-small" color="secondary">
                  sts:AssumeRole{link.roleArn ? ` ${link.roleArn}` : ''}
                </Text>
              </Flex>
            ) : null}
            <LinkBox
              link={link}
              position={position}
              runsAs={
                index === 0 &&
                link.kind === 'AWSClusterControllerIdentity' &&
                props.controllerPrincipalArn
                  ? {
                      principalArn: props.controllerPrincipalArn,
                      accountId: props.controllerAccountId,
                    }
                  : undefined
              }
            />
          </div>
        );
      })}
    </div>
  );
}
