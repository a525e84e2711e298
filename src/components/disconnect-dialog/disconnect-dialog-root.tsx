import * as AlertDialog from '@radix-ui/react-alert-dialog';
import { setNonce } from 'get-nonce';
import { useCallback, useEffect, useInsertionEffect, useMemo, useRef, useState, type ReactElement, type ReactNode } from 'react';

import { describeErrorReason } from '../internal/describe-error-reason';
import { useControllableState } from '../internal/use-controllable-state';
import { useLatest } from '../../react/use-latest';
import { resolveMessages, type XeroConnectionMessages } from '../messages';
import {
  DisconnectDialogContext,
  type DisconnectDialogConfirmState,
  type DisconnectDialogContextValue,
} from './disconnect-dialog-context';

const IDLE: DisconnectDialogConfirmState = { status: 'idle' };
const PENDING: DisconnectDialogConfirmState = { status: 'pending' };

/** Props of {@link DisconnectDialogRoot}. */
export interface DisconnectDialogRootProps {
  children?: ReactNode;
  /** Whether the dialog is open (controlled). Leave `undefined` to let the dialog keep its own state. */
  open?: boolean | undefined;
  /** Whether the dialog starts open when uncontrolled. Default `false`. */
  defaultOpen?: boolean | undefined;
  /**
   * Called when the dialog asks to open or close: the trigger, "No, keep it", Escape, or success.
   * Never called with `false` while `onConfirm` is pending.
   */
  onOpenChange?: ((open: boolean) => void) | undefined;
  /**
   * Does the disconnecting. Return a promise to keep the dialog open with progress shown until it
   * settles: it closes on success and shows the failure (with a way to try again) on rejection.
   * Called once per attempt, however many times the button is clicked. Read fresh every time.
   */
  onConfirm: () => unknown;
  /** Called when the user dismisses the dialog without disconnecting ("No, keep it" or Escape). */
  onCancel?: (() => void) | undefined;
  /** Overrides for any of the copy; the rest keep the English defaults. */
  messages?: Partial<XeroConnectionMessages> | undefined;
  /**
   * Turns a failure from `onConfirm` into the one-sentence `{reason}` of 'dialog.failed'. The
   * default maps this package's errors by `code` and shows a host `Error`'s message; never a stack.
   */
  describeError?: ((error: unknown) => string) | undefined;
  /** Renders no styling hooks (`data-xc-styled`, `data-xc-button`), so the default stylesheet leaves every part alone. `data-slot` and `data-state` stay. */
  unstyled?: boolean | undefined;
  /**
   * The page's Content-Security-Policy nonce, for a `style-src` without `'unsafe-inline'`. While
   * open, the dialog locks page scrolling with a `<style>` element (Radix's scroll lock), which such
   * a policy refuses unless it carries the nonce. The nonce is set page-wide (Radix reads one
   * global), so any dialog's nonce serves all of them.
   */
  nonce?: string | undefined;
}

// Radix's scroll lock (react-remove-scroll) writes its <style> with the nonce of `get-nonce`, one
// value for the page. Set before any effect of the dialog's content runs, so its first style has it.
function useStyleNonce(nonce: string | undefined): void {
  useInsertionEffect(() => {
    if (nonce) setNonce(nonce);
  }, [nonce]);
}

/* -------------------------------------------------------------------------------------------------
 * DisconnectDialogRoot
 * -----------------------------------------------------------------------------------------------*/

/**
 * Holds the open state (controlled or not) and the confirm step (`idle` → `pending` → closed, or
 * `failed` → try again). Renders no element of its own; wrap the other parts in it.
 *
 * @example
 * ```tsx
 * <DisconnectDialogRoot onConfirm={disconnect}>
 *   <DisconnectDialogTrigger>Disconnect</DisconnectDialogTrigger>
 *   <DisconnectDialogContent>…</DisconnectDialogContent>
 * </DisconnectDialogRoot>
 * ```
 */
export function DisconnectDialogRoot({
  children,
  open: openProp,
  defaultOpen = false,
  onOpenChange,
  onConfirm,
  onCancel,
  messages,
  describeError,
  unstyled = false,
  nonce,
}: DisconnectDialogRootProps): ReactElement {
  useStyleNonce(nonce);
  const [open, setOpen] = useControllableState({ prop: openProp, defaultProp: defaultOpen, onChange: onOpenChange });
  const [confirmState, setConfirmState] = useState<DisconnectDialogConfirmState>(IDLE);
  const resolvedMessages = useMemo(() => resolveMessages(messages), [messages]);
  const onConfirmRef = useLatest(onConfirm);
  const onCancelRef = useLatest(onCancel);

  // A ref, not state: two clicks can land before React re-renders, and both must see "pending".
  const pendingRef = useRef(false);
  // Bumped whenever the dialog closes or unmounts, so an answer meant for an earlier opening
  // (a host that closed the dialog mid-request, say) changes nothing.
  const sessionRef = useRef(0);

  // Each opening starts fresh: a failure from last time is not shown again.
  const [wasOpen, setWasOpen] = useState(open);
  if (wasOpen !== open) {
    setWasOpen(open);
    if (open) setConfirmState(IDLE);
  }
  useEffect(() => {
    if (open) return;
    sessionRef.current += 1;
    pendingRef.current = false;
  }, [open]);
  useEffect(
    () => () => {
      sessionRef.current += 1;
    },
    [],
  );

  const confirm = useCallback(() => {
    if (pendingRef.current) return;
    pendingRef.current = true;
    const session = sessionRef.current;
    setConfirmState(PENDING);
    const settle = (next: DisconnectDialogConfirmState) => {
      if (session !== sessionRef.current) return;
      pendingRef.current = false;
      setConfirmState(next);
      if (next.status === 'idle') setOpen(false);
    };
    let result: unknown;
    try {
      result = onConfirmRef.current();
    } catch (error) {
      settle({ status: 'failed', error });
      return;
    }
    Promise.resolve(result).then(
      () => settle(IDLE),
      (error: unknown) => settle({ status: 'failed', error }),
    );
  }, [onConfirmRef, setOpen]);

  const handleOpenChange = useCallback(
    (next: boolean) => {
      if (!next && pendingRef.current) return;
      if (!next) onCancelRef.current?.();
      setOpen(next);
    },
    [onCancelRef, setOpen],
  );

  // One object per change, not per render: every part reads this context, and a host re-rendering
  // the root (a parent's state, an inline `onConfirm`) would otherwise re-render all of them.
  const styled = !unstyled;
  const context = useMemo<DisconnectDialogContextValue>(
    () => ({
      confirmState,
      confirm,
      messages: resolvedMessages,
      describeError: describeError ?? ((error: unknown) => describeErrorReason(error, resolvedMessages)),
      styled,
    }),
    [confirmState, confirm, resolvedMessages, describeError, styled],
  );

  return (
    <DisconnectDialogContext.Provider value={context}>
      <AlertDialog.Root open={open} onOpenChange={handleOpenChange}>
        {children}
      </AlertDialog.Root>
    </DisconnectDialogContext.Provider>
  );
}
