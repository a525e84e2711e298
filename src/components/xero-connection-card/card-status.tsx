import type { ReactNode } from 'react';

import type { XeroConnectionStateStatus } from '../../react/types';
import type { StatusSentence } from './describe-state';
import { styledHook } from '../internal/style-hooks';

/** Props of {@link CardStatus}. */
export interface CardStatusProps {
  sentences: readonly StatusSentence[];
  status: XeroConnectionStateStatus;
  styled: boolean;
}

/**
 * The status in words, and the card's one polite live region (`role="status"`): whenever the
 * sentence changes (connected → expired → disconnected), screen readers read the new one once
 * they are idle. Always rendered, so the region exists before its first change.
 */
export function CardStatus({ sentences, status, styled }: CardStatusProps): ReactNode {
  return (
    <div role="status" data-slot="xero-connection-card-status" data-state={status} {...styledHook(styled)}>
      {sentences.map((sentence) => (
        <p key={sentence.kind} data-slot={`xero-connection-card-${sentence.kind}`} {...styledHook(styled)}>
          {sentence.text}
        </p>
      ))}
    </div>
  );
}
