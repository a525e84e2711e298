import { useMemo } from 'react';

import { resolveMessages, type XeroConnectionMessages } from './messages';
import type { AdminContact } from './xero-connection-card/card-admin-notice';

/** Heading levels a component's title can take; pick the one that fits the host page's outline. */
export type CardHeadingLevel = 2 | 3 | 4 | 5 | 6;

/**
 * The props every drop-in component of this package shares ({@link XeroConnectionCard},
 * {@link XeroReconnectNotice}): what the integration is called, its copy and locale, where it sits
 * in the page's outline, whether it is styled, whom to ask, and the page's CSP nonce. Give the card
 * and the notice of one integration the same values.
 */
export interface XeroConnectionBaseProps {
  /** The portal's name for the integration, e.g. "Xero Billing": the component's heading and part of its copy. */
  title: string;
  /** Overrides for any of the copy; the rest keep the English defaults. */
  messages?: Partial<XeroConnectionMessages> | undefined;
  /** The BCP 47 locale dates and times are written in (`Intl`). Default `en-AU`. */
  locale?: string | undefined;
  /** The title's heading level, to fit the host page's outline. Default 3. */
  headingLevel?: CardHeadingLevel | undefined;
  /**
   * Renders no styling hooks (`data-xc-styled`, `data-xc-button`), here and in the dialog, so the
   * default stylesheet leaves every part alone. `data-slot` and `data-state` stay for your own CSS.
   */
  unstyled?: boolean | undefined;
  /**
   * Who can fix the connection, shown with "Ask an administrator to reconnect Xero." to people
   * who cannot (`canManage={false}`): a name, or `{ name, email }` for a `mailto:` link.
   */
  adminContact?: AdminContact | undefined;
  /** The page's CSP nonce for the dialog's scroll-lock style (see {@link DisconnectDialogRootProps.nonce}); not an attribute of the component. */
  nonce?: string | undefined;
}

/** @internal {@link XeroConnectionBaseProps} with their defaults, and the copy resolved. */
export interface ResolvedBaseProps {
  title: string;
  /** Every message: the overrides over the English defaults. */
  messages: XeroConnectionMessages;
  /** The overrides as given, for the dialog (which resolves them itself). */
  overrides: Partial<XeroConnectionMessages> | undefined;
  locale: string;
  headingLevel: CardHeadingLevel;
  /** `false` drops the attributes the default stylesheet keys on. */
  styled: boolean;
  adminContact: AdminContact | undefined;
  nonce: string | undefined;
}

/**
 * @internal Takes the base props out of a component's props, so the rest can go to its root
 * element: the base props with their defaults and resolved copy (once per `messages` object), and
 * the rest.
 */
export function useBaseProps<P extends XeroConnectionBaseProps>({
  title,
  messages: overrides,
  locale = 'en-AU',
  headingLevel = 3,
  unstyled = false,
  adminContact,
  nonce,
  ...rest
}: P): [base: ResolvedBaseProps, rest: Omit<P, keyof XeroConnectionBaseProps>] {
  const messages = useMemo(() => resolveMessages(overrides), [overrides]);
  return [{ title, messages, overrides, locale, headingLevel, styled: !unstyled, adminContact, nonce }, rest];
}
