import type { ReactElement } from 'react';
import { CodeSnippet } from '@backstage/core-components';
import { Flex, Text } from '@backstage/ui';
import type { Check } from '@capa-portal/plugin-capa-common';

/**
 * How to fix a check: the sentence, and the snippet as a copyable code block.
 *
 * @public
 */
export function FixHint(props: {
  fix: NonNullable<Check['fix']>;
}): ReactElement {
  const { fix } = props;
  return (
    <Flex direction="column" gap="1">
      <Text as="p" variant="body-small">
        <strong>Fix:</strong> {fix.summary}
      </Text>
      {fix.snippet ? (
        <div data-testid="capa-fix-snippet">
          <CodeSnippet
            text={fix.snippet}
            language={fix.language ?? 'yaml'}
            showCopyCodeButton
            wrapLongLines
            customStyle={{ overflowWrap: 'anywhere', paddingRight: 48 }}
          />
        </div>
      ) : null}
    </Flex>
  );
}
