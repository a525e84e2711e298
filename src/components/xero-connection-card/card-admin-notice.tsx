import { forwardRef, useEffect, useId, useRef, useState, useSyncExternalStore, type ComponentPropsWithoutRef, type ReactNode } from 'react';

import { formatMessage, type XeroConnectionMessages } from '../messages';
import { CardButton } from './card-button';
import { styledHook } from '../internal/style-hooks';

/**
 * Who can fix the connection, for people who cannot (`canManage={false}`): a name (`"Priya Shah,
 * practice manager"`), or a name and an e-mail address, which becomes a `mailto:` link with a
 * subject and this page's address filled in.
 */
export type AdminContact = string | { name: string; email?: string | undefined };

/** Props of {@link CardAdminNotice}; other props go to its `<div>`. */
export interface CardAdminNoticeProps extends Omit<ComponentPropsWithoutRef<'div'>, 'title' | 'children'> {
  title: string;
  adminContact: AdminContact | undefined;
  messages: XeroConnectionMessages;
  styled: boolean;
  /**
   * The request to the administrator: by default "Ask an administrator to reconnect Xero.";
   * `null` leaves it out where the status already says what is awaited.
   */
  ask?: string | null | undefined;
}

// One address, nothing that could add headers or other recipients to the mailto: URL.
const EMAIL = /^[^\s@<>()[\]\\,;:"?&#%/]+@[^\s@<>()[\]\\,;:"?&#%/]+\.[^\s@<>()[\]\\,;:"?&#%/.]+$/;

function subscribeToLocation(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener('hashchange', onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener('hashchange', onChange);
  };
}

// The page's address, read after hydration only (the server render has none), so both agree.
function usePageHref(): string | null {
  return useSyncExternalStore(
    subscribeToLocation,
    () => window.location.href,
    () => null,
  );
}

function mailtoHref(email: string, subject: string, pageHref: string | null): string {
  const query = [`subject=${encodeURIComponent(subject)}`];
  if (pageHref !== null) query.push(`body=${encodeURIComponent(pageHref)}`);
  return `mailto:${email}?${query.join('&')}`;
}

type CopyState = 'idle' | 'copied' | 'failed';

/**
 * "Ask an administrator to reconnect Xero.", who that is when the host says, and a button that
 * copies this page's link to send them. Where the clipboard is not available (an insecure
 * context, a refused permission) the link appears in a read-only field, selected, to copy by hand.
 * The copy's result is announced in its own polite live region.
 */
export const CardAdminNotice = /* @__PURE__ */ forwardRef<HTMLDivElement, CardAdminNoticeProps>(function CardAdminNotice(
  { title, adminContact, messages, styled, ask, ...props },
  ref,
) {
  const pageHref = usePageHref();
  const [copyState, setCopyState] = useState<CopyState>('idle');
  const [fallbackLink, setFallbackLink] = useState<string | null>(null);
  const fieldRef = useRef<HTMLInputElement | null>(null);
  const fieldId = `${useId()}-link`;

  useEffect(() => {
    if (fallbackLink === null) return;
    fieldRef.current?.focus();
    fieldRef.current?.select();
  }, [fallbackLink]);

  const handleCopy = async () => {
    const href = window.location.href;
    setCopyState('idle');
    try {
      if (typeof navigator.clipboard?.writeText !== 'function') throw new Error('no clipboard');
      await navigator.clipboard.writeText(href);
      setFallbackLink(null);
      setCopyState('copied');
    } catch {
      setFallbackLink(href);
      setCopyState('failed');
    }
  };

  let contact: ReactNode = null;
  if (typeof adminContact === 'string' && adminContact.trim() !== '') {
    contact = adminContact;
  } else if (typeof adminContact === 'object' && adminContact !== null && adminContact.name.trim() !== '') {
    const email = adminContact.email?.trim();
    contact =
      email && EMAIL.test(email) ? (
        <a
          data-slot="xero-connection-card-admin-link"
          href={mailtoHref(email, formatMessage(messages, 'admin.emailSubject', { title }), pageHref)}
          {...styledHook(styled)}
        >
          {adminContact.name}
        </a>
      ) : (
        adminContact.name
      );
  }

  let copyStatus = '';
  if (copyState === 'copied') copyStatus = formatMessage(messages, 'notice.linkCopied');
  else if (copyState === 'failed') copyStatus = formatMessage(messages, 'notice.copyLinkFailed');

  return (
    <div data-slot="xero-connection-card-admin" {...styledHook(styled)} {...props} ref={ref}>
      {ask === null ? null : (
        <p data-slot="xero-connection-card-admin-ask" {...styledHook(styled)}>
          {ask ?? formatMessage(messages, 'notice.askAdmin')}
        </p>
      )}
      {contact !== null ? (
        <p data-slot="xero-connection-card-admin-contact" {...styledHook(styled)}>
          {formatMessage(messages, 'admin.contactLabel')} {contact}
        </p>
      ) : null}
      <div data-slot="xero-connection-card-actions" {...styledHook(styled)}>
        <CardButton
          action="copy-link"
          variant="secondary"
          pendingLabel={formatMessage(messages, 'action.working')}
          styled={styled}
          onClick={() => void handleCopy()}
        >
          {formatMessage(messages, 'action.copyLink')}
        </CardButton>
      </div>
      <p role="status" data-slot="xero-connection-card-copy-status" {...styledHook(styled)}>
        {copyStatus}
      </p>
      {fallbackLink !== null ? (
        <div data-slot="xero-connection-card-link-field" {...styledHook(styled)}>
          <label htmlFor={fieldId} data-slot="xero-connection-card-link-label" {...styledHook(styled)}>
            {formatMessage(messages, 'admin.linkLabel')}
          </label>
          <input
            ref={fieldRef}
            id={fieldId}
            type="text"
            readOnly
            value={fallbackLink}
            data-slot="xero-connection-card-link-input"
            {...styledHook(styled)}
            onFocus={(event) => event.currentTarget.select()}
          />
        </div>
      ) : null}
    </div>
  );
});
