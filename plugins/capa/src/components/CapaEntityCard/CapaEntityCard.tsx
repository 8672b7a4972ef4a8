import type { ReactElement } from 'react';
import { InfoCard, Progress } from '@backstage/core-components';
import { CARD_TITLE_PROPS } from '../../lib/format';
import { CapaErrorPanel } from '../CapaErrorPanel';

/** What `useAsyncRetry` returns, as far as the card reads it. */
export interface CardLoadState<T> {
  loading: boolean;
  error?: Error;
  value?: T;
  retry(): void;
}

/**
 * The frame of capa's entity cards: the title, then a progress bar while the first answer is awaited, the
 * error with a Retry button, or the content the loaded value renders to.
 */
export function CapaEntityCard<T>(props: {
  title: string;
  state: CardLoadState<T>;
  /** The title of the error panel: what could not be loaded. */
  errorTitle: string;
  children: (value: T) => ReactElement;
}): ReactElement {
  const { title, state, errorTitle, children } = props;
  let content: ReactElement;
  if (state.loading && state.value === undefined) {
    content = <Progress />;
  } else if (state.error) {
    content = (
      <CapaErrorPanel
        title={errorTitle}
        error={state.error}
        onRetry={state.retry}
      />
    );
  } else if (state.value !== undefined) {
    content = children(state.value);
  } else {
    content = <Progress />;
  }
  return (
    <InfoCard title={title} titleTypographyProps={CARD_TITLE_PROPS}>
      {content}
    </InfoCard>
  );
}
