import * as AlertDialog from '@radix-ui/react-alert-dialog';
import { forwardRef, type ComponentPropsWithoutRef, type MouseEvent, type ReactNode } from 'react';

import { composeEventHandlers } from '../internal/compose-event-handlers';
import { mergeClassNames } from '../internal/merge-class-names';
import { buttonHook, spinnerHook, styledHook } from '../internal/style-hooks';
import { formatMessage } from '../messages';
import { useDisconnectDialogContext } from './disconnect-dialog-context';

/* -------------------------------------------------------------------------------------------------
 * DisconnectDialogTrigger
 * -----------------------------------------------------------------------------------------------*/

/** Props of {@link DisconnectDialogTrigger}: a button's, plus Radix's `asChild`. */
export type DisconnectDialogTriggerProps = ComponentPropsWithoutRef<typeof AlertDialog.Trigger>;

/**
 * Opens the dialog; focus comes back here when it closes. Use `asChild` to make your own
 * button the trigger (it keeps its own look; the default stylesheet styles only a bare trigger).
 */
export const DisconnectDialogTrigger = /* @__PURE__ */ forwardRef<HTMLButtonElement, DisconnectDialogTriggerProps>(
  function DisconnectDialogTrigger({ className, asChild, ...props }, ref) {
    const { styled } = useDisconnectDialogContext('DisconnectDialogTrigger');
    return (
      <AlertDialog.Trigger
        data-slot="disconnect-dialog-trigger"
        {...(asChild ? {} : buttonHook(styled, 'secondary'))}
        {...props}
        asChild={asChild}
        ref={ref}
        className={mergeClassNames(className)}
      />
    );
  },
);

/* -------------------------------------------------------------------------------------------------
 * DisconnectDialogContent
 * -----------------------------------------------------------------------------------------------*/

/** Props of {@link DisconnectDialogContent}: Radix's `AlertDialog.Content` props, plus where to portal. */
export interface DisconnectDialogContentProps extends ComponentPropsWithoutRef<typeof AlertDialog.Content> {
  /**
   * The element to portal into; default `document.body`. Give one inside your `data-theme` scope
   * if the theme is set on an element rather than on `<html>`.
   */
  container?: HTMLElement | null | undefined;
  /** Class for the backdrop behind the dialog. */
  overlayClassName?: string | undefined;
}

/**
 * The dialog itself (`role="alertdialog"`), portaled with its backdrop. Focus starts on
 * `DisconnectDialogCancel` (the safe choice) and is kept inside. While `onConfirm` is pending,
 * Escape does nothing and `aria-busy` is set. `data-state` is `open | closed` (Radix);
 * `data-confirm-state` is `idle | pending | failed`.
 *
 * Focus returns to the trigger on close. Without a trigger (a controlled dialog opened from
 * elsewhere), pass `onCloseAutoFocus` and call `event.preventDefault()` after focusing what makes sense.
 */
export const DisconnectDialogContent = /* @__PURE__ */ forwardRef<HTMLDivElement, DisconnectDialogContentProps>(
  function DisconnectDialogContent({ className, container, overlayClassName, onEscapeKeyDown, ...props }, ref) {
    const { styled, confirmState } = useDisconnectDialogContext('DisconnectDialogContent');
    const pending = confirmState.status === 'pending';
    return (
      <AlertDialog.Portal container={container}>
        <AlertDialog.Overlay
          data-slot="disconnect-dialog-overlay"
          {...styledHook(styled)}
          className={mergeClassNames(overlayClassName)}
        />
        <AlertDialog.Content
          data-slot="disconnect-dialog-content"
          data-confirm-state={confirmState.status}
          aria-busy={pending || undefined}
          {...styledHook(styled)}
          {...props}
          ref={ref}
          className={mergeClassNames(className)}
          onEscapeKeyDown={composeEventHandlers(onEscapeKeyDown, (event: KeyboardEvent) => {
            // Closing now would hide whether the disconnection happened.
            if (pending) event.preventDefault();
          })}
        />
      </AlertDialog.Portal>
    );
  },
);

/* -------------------------------------------------------------------------------------------------
 * DisconnectDialogTitle
 * -----------------------------------------------------------------------------------------------*/

/** Props of {@link DisconnectDialogTitle}. */
export type DisconnectDialogTitleProps = ComponentPropsWithoutRef<typeof AlertDialog.Title>;

/**
 * The dialog's accessible name (an `h2`). Give it the question, naming the organisation; the
 * assembled `DisconnectDialog` uses the 'dialog.title' message.
 */
export const DisconnectDialogTitle = /* @__PURE__ */ forwardRef<HTMLHeadingElement, DisconnectDialogTitleProps>(
  function DisconnectDialogTitle({ className, ...props }, ref) {
    const { styled } = useDisconnectDialogContext('DisconnectDialogTitle');
    return (
      <AlertDialog.Title
        data-slot="disconnect-dialog-title"
        {...styledHook(styled)}
        {...props}
        ref={ref}
        className={mergeClassNames(className)}
      />
    );
  },
);

/* -------------------------------------------------------------------------------------------------
 * DisconnectDialogDescription
 * -----------------------------------------------------------------------------------------------*/

/** Props of {@link DisconnectDialogDescription}. */
export type DisconnectDialogDescriptionProps = ComponentPropsWithoutRef<typeof AlertDialog.Description>;

/**
 * What disconnecting does, in plain words (the dialog's accessible description). Shows the
 * 'dialog.description' message unless given children.
 */
export const DisconnectDialogDescription = /* @__PURE__ */ forwardRef<HTMLParagraphElement, DisconnectDialogDescriptionProps>(
  function DisconnectDialogDescription({ className, children, ...props }, ref) {
    const { styled, messages } = useDisconnectDialogContext('DisconnectDialogDescription');
    return (
      <AlertDialog.Description
        data-slot="disconnect-dialog-description"
        {...styledHook(styled)}
        {...props}
        ref={ref}
        className={mergeClassNames(className)}
      >
        {children ?? formatMessage(messages, 'dialog.description')}
      </AlertDialog.Description>
    );
  },
);

/* -------------------------------------------------------------------------------------------------
 * DisconnectDialogError
 * -----------------------------------------------------------------------------------------------*/

/** Props of {@link DisconnectDialogError}. */
export type DisconnectDialogErrorProps = ComponentPropsWithoutRef<'div'>;

/**
 * Says that the last attempt failed and why (`role="alert"`, so it is announced). Renders
 * nothing unless the confirm step failed. Shows 'dialog.failed' with the reason unless given children.
 */
export const DisconnectDialogError = /* @__PURE__ */ forwardRef<HTMLDivElement, DisconnectDialogErrorProps>(
  function DisconnectDialogError({ className, children, ...props }, ref) {
    const { styled, messages, confirmState, describeError } = useDisconnectDialogContext('DisconnectDialogError');
    if (confirmState.status !== 'failed') return null;
    return (
      <div
        role="alert"
        data-slot="disconnect-dialog-error"
        {...styledHook(styled)}
        {...props}
        ref={ref}
        className={mergeClassNames(className)}
      >
        {children ?? formatMessage(messages, 'dialog.failed', { reason: describeError(confirmState.error) })}
      </div>
    );
  },
);

/* -------------------------------------------------------------------------------------------------
 * DisconnectDialogFooter
 * -----------------------------------------------------------------------------------------------*/

/** Props of {@link DisconnectDialogFooter}. */
export type DisconnectDialogFooterProps = ComponentPropsWithoutRef<'div'>;

/** Lays out the two buttons: side by side, or stacked on a narrow screen. Purely visual. */
export const DisconnectDialogFooter = /* @__PURE__ */ forwardRef<HTMLDivElement, DisconnectDialogFooterProps>(
  function DisconnectDialogFooter({ className, ...props }, ref) {
    const { styled } = useDisconnectDialogContext('DisconnectDialogFooter');
    return (
      <div
        data-slot="disconnect-dialog-footer"
        {...styledHook(styled)}
        {...props}
        ref={ref}
        className={mergeClassNames(className)}
      />
    );
  },
);

/* -------------------------------------------------------------------------------------------------
 * DisconnectDialogCancel
 * -----------------------------------------------------------------------------------------------*/

/** Props of {@link DisconnectDialogCancel}. */
export type DisconnectDialogCancelProps = ComponentPropsWithoutRef<typeof AlertDialog.Cancel>;

/**
 * Closes without disconnecting ('dialog.cancel', "No, keep it", unless given children). Gets
 * focus when the dialog opens. While `onConfirm` is pending it is `aria-disabled` and ignores
 * clicks; it is not `disabled`, because disabling the focused element drops focus to `<body>`
 * (Safari leaves focus here after a click on the confirm button).
 */
export const DisconnectDialogCancel = /* @__PURE__ */ forwardRef<HTMLButtonElement, DisconnectDialogCancelProps>(
  function DisconnectDialogCancel({ className, children, onClick, ...props }, ref) {
    const { styled, messages, confirmState } = useDisconnectDialogContext('DisconnectDialogCancel');
    const pending = confirmState.status === 'pending';
    return (
      <AlertDialog.Cancel
        data-slot="disconnect-dialog-cancel"
        aria-disabled={pending || undefined}
        {...buttonHook(styled, 'secondary')}
        {...props}
        ref={ref}
        className={mergeClassNames(className)}
        onClick={composeEventHandlers(onClick, (event: MouseEvent<HTMLButtonElement>) => {
          // Radix's close runs after this only if the event was not prevented.
          if (pending) event.preventDefault();
        })}
      >
        {children ?? formatMessage(messages, 'dialog.cancel')}
      </AlertDialog.Cancel>
    );
  },
);

/* -------------------------------------------------------------------------------------------------
 * DisconnectDialogConfirm
 * -----------------------------------------------------------------------------------------------*/

/** Props of {@link DisconnectDialogConfirm}. `children` replaces the idle label only. */
export type DisconnectDialogConfirmProps = ComponentPropsWithoutRef<'button'>;

/**
 * Runs the root's `onConfirm` ('dialog.confirm', "Yes, disconnect", unless given children). A
 * plain button rather than Radix's `Action`, which would close before the request is done.
 * While pending it shows a spinner and 'dialog.pending', is `aria-disabled` and ignores
 * clicks, so focus stays on it; after a failure it reads 'action.tryAgain'. Call
 * `event.preventDefault()` in your `onClick` to stop it confirming.
 */
export const DisconnectDialogConfirm = /* @__PURE__ */ forwardRef<HTMLButtonElement, DisconnectDialogConfirmProps>(
  function DisconnectDialogConfirm({ className, children, onClick, ...props }, ref) {
    const { styled, messages, confirmState, confirm } = useDisconnectDialogContext('DisconnectDialogConfirm');
    const pending = confirmState.status === 'pending';
    let label: ReactNode;
    if (pending) label = formatMessage(messages, 'dialog.pending');
    else if (confirmState.status === 'failed') label = formatMessage(messages, 'action.tryAgain');
    else label = children ?? formatMessage(messages, 'dialog.confirm');
    return (
      <button
        type="button"
        data-slot="disconnect-dialog-confirm"
        data-confirm-state={confirmState.status}
        data-pending={pending ? '' : undefined}
        aria-disabled={pending || undefined}
        {...buttonHook(styled, 'danger')}
        {...props}
        ref={ref}
        className={mergeClassNames(className)}
        onClick={composeEventHandlers(onClick, () => {
          if (!pending) confirm();
        })}
      >
        {pending ? (
          <span data-slot="disconnect-dialog-spinner" aria-hidden="true" {...spinnerHook(styled)} />
        ) : null}
        {label}
      </button>
    );
  },
);
