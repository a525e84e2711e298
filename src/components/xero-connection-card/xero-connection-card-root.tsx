import { forwardRef, type ComponentPropsWithoutRef, type ReactNode } from 'react';

import type { UseXeroConnectionOptions } from '../../react/types';
import { mergeClassNames } from '../internal/merge-class-names';
import { splitHookOptions } from '../internal/split-hook-options';
import { styledHook } from '../internal/style-hooks';
import { useBaseProps, type XeroConnectionBaseProps } from '../xero-connection-base-props';
import { useCardModel } from './use-card-model';
import { XeroConnectionCardContext } from './xero-connection-card-context';

/** Props of {@link XeroConnectionCardRoot}: the card's, the hook's options, and the `<section>`'s. */
export interface XeroConnectionCardRootProps
  extends Omit<ComponentPropsWithoutRef<'section'>, 'title' | keyof UseXeroConnectionOptions>,
    XeroConnectionBaseProps,
    UseXeroConnectionOptions {
  /** The parts, in the order and layout you want: {@link XeroConnectionCardHeader}, {@link XeroConnectionCardStatus}, … */
  children?: ReactNode;
}

/* -------------------------------------------------------------------------------------------------
 * XeroConnectionCardRoot
 * -----------------------------------------------------------------------------------------------*/

/**
 * The card without its layout: reads the connection with `useXeroConnection()`, keeps the card's
 * own state (the dialog, the picker's choice, a failed action, the "just disconnected" notice),
 * manages focus, and renders the `<section>` named by {@link XeroConnectionCardTitle}, with
 * `data-slot="xero-connection-card"`, `data-state`, `data-reason` and `aria-busy` while loading.
 * Put the `XeroConnectionCard*` parts inside in any order and layout, with your own elements
 * between them; {@link XeroConnectionCard} is all of them in the default order.
 *
 * Keep {@link XeroConnectionCardTitle} (the section's name and where focus falls back to) and
 * {@link XeroConnectionCardStatus} (the live region that announces changes); leave out a part
 * only if the page says what it says some other way. Must be used within `<XeroConnectionProvider>`.
 *
 * @example
 * ```tsx
 * <XeroConnectionCardRoot title="Xero Billing">
 *   <header className="portal-card-header">
 *     <img src={xeroLogo} alt="" />
 *     <XeroConnectionCardTitle />
 *     <XeroConnectionCardBadge />
 *   </header>
 *   <XeroConnectionCardStatus />
 *   <XeroConnectionCardOutcome />
 *   <XeroConnectionCardOrganisationPicker />
 *   <XeroConnectionCardAdminNotice />
 *   <XeroConnectionCardError />
 *   <XeroConnectionCardActions />
 * </XeroConnectionCardRoot>
 * ```
 */
export const XeroConnectionCardRoot = /* @__PURE__ */ forwardRef<HTMLElement, XeroConnectionCardRootProps>(function XeroConnectionCardRoot(
  props,
  ref,
) {
  const [base, rest] = useBaseProps(props);
  const [hookOptions, { children, className, onFocus, ...sectionProps }] = splitHookOptions(rest);
  const { model, handleFocus } = useCardModel(base, hookOptions, onFocus);
  const { state } = model.xero;
  return (
    <XeroConnectionCardContext.Provider value={model}>
      <section
        aria-labelledby={model.headingId}
        aria-busy={state.status === 'loading' || undefined}
        data-slot="xero-connection-card"
        data-state={state.status}
        data-reason={('reason' in state ? state.reason : null) ?? undefined}
        {...styledHook(model.styled)}
        {...sectionProps}
        ref={ref}
        className={mergeClassNames(className)}
        onFocus={handleFocus}
      >
        {children}
      </section>
    </XeroConnectionCardContext.Provider>
  );
});
