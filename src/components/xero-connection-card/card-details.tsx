import type { ReactNode } from 'react';

import type { Connection } from '../../client';
import { formatMessage, type XeroConnectionMessages } from '../messages';
import { formatDate, formatRelative, isoDate } from './format-date';
import { styledHook } from '../internal/style-hooks';

/** Props of {@link CardDetailRows}. */
export interface CardDetailRowsProps {
  /** The connection to describe; rows the backend does not know are left out. */
  connection: Connection;
  /** The organisation's name, when known. */
  organisation: string | null;
  messages: XeroConnectionMessages;
  locale: string;
  /**
   * What "2 days ago" is measured from: when the connection was read (the hook's `updatedAt`),
   * not the clock at render, so a server render and its hydration print the same words.
   */
  now: Date;
  styled: boolean;
}

interface DetailRowProps {
  name: 'organisation' | 'connected-since' | 'connected-by' | 'last-used';
  term: string;
  children: ReactNode;
  styled: boolean;
}

function DetailRow({ name, term, children, styled }: DetailRowProps): ReactNode {
  // A <div> around each pair is valid in a <dl> and lets the stylesheet lay pairs out as rows.
  return (
    <div data-slot="xero-connection-card-detail" data-detail={name} {...styledHook(styled)}>
      <dt data-slot="xero-connection-card-detail-term" {...styledHook(styled)}>
        {term}
      </dt>
      <dd data-slot="xero-connection-card-detail-value" {...styledHook(styled)}>
        {children}
      </dd>
    </div>
  );
}

/**
 * The facts about the connection, as the rows of a description list: the organisation, connected
 * since, by whom, and when it was last used ("Never" when it has not been). Dates use `Intl` in `locale`.
 */
export function CardDetailRows({ connection, organisation, messages, locale, now, styled }: CardDetailRowsProps): ReactNode {
  const connectedSince = formatDate(connection.connectedAt, locale);
  const lastUsed = formatDate(connection.lastUsedAt, locale);
  const lastUsedAgo = formatRelative(connection.lastUsedAt, locale, now);
  return (
    <>
      {organisation !== null ? (
        <DetailRow name="organisation" term={formatMessage(messages, 'detail.organisation')} styled={styled}>
          {organisation}
        </DetailRow>
      ) : null}
      {connectedSince !== null ? (
        <DetailRow name="connected-since" term={formatMessage(messages, 'detail.connectedSince')} styled={styled}>
          <time dateTime={isoDate(connection.connectedAt)} data-slot="xero-connection-card-date">{connectedSince}</time>
        </DetailRow>
      ) : null}
      {connection.connectedBy ? (
        <DetailRow name="connected-by" term={formatMessage(messages, 'detail.connectedBy')} styled={styled}>
          {connection.connectedBy.displayName}
        </DetailRow>
      ) : null}
      <DetailRow name="last-used" term={formatMessage(messages, 'detail.lastUsed')} styled={styled}>
        {lastUsed === null ? (
          formatMessage(messages, 'detail.never')
        ) : (
          <time dateTime={isoDate(connection.lastUsedAt)} data-slot="xero-connection-card-date">
            {lastUsedAgo === null
              ? lastUsed
              : formatMessage(messages, 'detail.dateWithRelative', { date: lastUsed, relative: lastUsedAgo })}
          </time>
        )}
      </DetailRow>
    </>
  );
}
