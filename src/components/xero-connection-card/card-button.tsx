import { forwardRef, type ComponentPropsWithoutRef, type MouseEvent } from 'react';

import { mergeClassNames } from '../internal/merge-class-names';
import { buttonHook, spinnerHook, type ButtonVariant } from '../internal/style-hooks';

/** Props of {@link CardButton}. */
export interface CardButtonProps extends ComponentPropsWithoutRef<'button'> {
  /** Which `data-xc-button` style it gets. */
  variant: ButtonVariant;
  /** Names the action in `data-action` (for hosts' tests and analytics selectors). */
  action: string;
  /** While true: shows `pendingLabel` with a spinner, sets `data-pending`, `aria-busy` and `aria-disabled`, and ignores clicks. */
  pending?: boolean;
  /** The label shown while pending ('action.working'). */
  pendingLabel: string;
  styled: boolean;
}

/**
 * One of the card's buttons. While its action runs it stays focusable (`aria-disabled`, not
 * `disabled`, which would drop keyboard focus to `<body>`) and says it is working; clicks then do
 * nothing visible because the label already says why. Spreads the rest of its props so it can be
 * a Radix trigger (`asChild`).
 */
export const CardButton = /* @__PURE__ */ forwardRef<HTMLButtonElement, CardButtonProps>(function CardButton(
  { variant, action, pending = false, pendingLabel, styled, children, className, onClick, ...props },
  ref,
) {
  return (
    <button
      type="button"
      data-slot="xero-connection-card-action"
      data-action={action}
      data-pending={pending ? '' : undefined}
      aria-busy={pending || undefined}
      aria-disabled={pending || undefined}
      {...buttonHook(styled, variant)}
      {...props}
      ref={ref}
      className={mergeClassNames(className)}
      onClick={(event: MouseEvent<HTMLButtonElement>) => {
        if (pending) {
          event.preventDefault();
          return;
        }
        onClick?.(event);
      }}
    >
      {pending ? <span data-slot="xero-connection-card-spinner" aria-hidden="true" {...spinnerHook(styled)} /> : null}
      {pending ? pendingLabel : children}
    </button>
  );
});
