import type { ReactNode } from 'react';

import type { XeroConnectionStateStatus } from '../../react/types';
import { styledHook } from '../internal/style-hooks';

/** Heading levels the card's title can take; pick the one that fits the host page's outline. */
export type CardHeadingLevel = 2 | 3 | 4 | 5 | 6;

/** Props of {@link CardHeader}. */
export interface CardHeaderProps {
  /** The `id` the card's `aria-labelledby` points at. */
  headingId: string;
  headingLevel: CardHeadingLevel;
  /** The integration's name, e.g. "Xero Billing". */
  title: string;
  /** The badge's short text. */
  badge: string;
  status: XeroConnectionStateStatus;
  styled: boolean;
  /** Receives the heading, so the card can move focus there when the focused button goes away. */
  headingRef: (element: HTMLHeadingElement | null) => void;
}

/**
 * The card's title (the section's accessible name) and its status badge. The heading can take
 * focus programmatically (`tabIndex={-1}`) but is not in the tab order.
 */
export function CardHeader({ headingId, headingLevel, title, badge, status, styled, headingRef }: CardHeaderProps): ReactNode {
  const Heading = `h${headingLevel}` as const;
  return (
    <div data-slot="xero-connection-card-header" {...styledHook(styled)}>
      <Heading id={headingId} ref={headingRef} tabIndex={-1} data-slot="xero-connection-card-title" {...styledHook(styled)}>
        {title}
      </Heading>
      <span data-slot="xero-connection-card-badge" data-state={status} {...styledHook(styled)}>
        {badge}
      </span>
    </div>
  );
}
