import { forwardRef, isValidElement, type ReactNode } from 'react';

import { formatMessage, resolveMessages } from '../messages';
import {
  DisconnectDialogCancel,
  DisconnectDialogConfirm,
  DisconnectDialogContent,
  DisconnectDialogDescription,
  DisconnectDialogError,
  DisconnectDialogFooter,
  DisconnectDialogTitle,
  DisconnectDialogTrigger,
  type DisconnectDialogContentProps,
} from './disconnect-dialog-parts';
import { DisconnectDialogRoot, type DisconnectDialogRootProps } from './disconnect-dialog-root';

/** Props of {@link DisconnectDialog}. Other props go to the dialog element (`DisconnectDialogContent`). */
export interface DisconnectDialogProps
  extends Omit<DisconnectDialogRootProps, 'children'>,
    Omit<DisconnectDialogContentProps, 'children' | 'title'> {
  /** The Xero organisation being disconnected; `null` or empty says "your Xero organisation". */
  organisationName: string | null;
  /** The portal's name for the integration, e.g. "Xero Billing". */
  integrationTitle: string;
  /**
   * What opens the dialog, usually your "Disconnect" button: an element becomes the trigger
   * itself (`asChild`), anything else is wrapped in a button. Leave it out when you drive `open`.
   */
  trigger?: ReactNode;
}

/**
 * The assembled confirmation: "Disconnect {organisation} from {title}?", what that means, and
 * "No, keep it" / "Yes, disconnect". Keeps itself open with progress while `onConfirm`'s promise
 * is pending, shows a failure inside with a way to try again, and closes on success (focus goes
 * back to the trigger). Compose the `DisconnectDialog*` parts instead for a different layout.
 *
 * @example
 * ```tsx
 * <DisconnectDialog
 *   organisationName={tenant.tenantName}
 *   integrationTitle="Xero Billing"
 *   onConfirm={disconnect}
 *   trigger={<button type="button">Disconnect my account</button>}
 * />
 * ```
 */
export const DisconnectDialog = /* @__PURE__ */ forwardRef<HTMLDivElement, DisconnectDialogProps>(function DisconnectDialog(
  {
    organisationName,
    integrationTitle,
    trigger,
    open,
    defaultOpen,
    onOpenChange,
    onConfirm,
    onCancel,
    messages,
    describeError,
    unstyled,
    nonce,
    ...contentProps
  },
  ref,
) {
  const resolved = resolveMessages(messages);
  const organisation = organisationName?.trim() || formatMessage(resolved, 'detail.unknownOrganisation');
  return (
    <DisconnectDialogRoot
      open={open}
      defaultOpen={defaultOpen}
      onOpenChange={onOpenChange}
      onConfirm={onConfirm}
      onCancel={onCancel}
      messages={messages}
      describeError={describeError}
      unstyled={unstyled}
      nonce={nonce}
    >
      {trigger == null || typeof trigger === 'boolean' ? null : isValidElement(trigger) ? (
        <DisconnectDialogTrigger asChild>{trigger}</DisconnectDialogTrigger>
      ) : (
        <DisconnectDialogTrigger>{trigger}</DisconnectDialogTrigger>
      )}
      <DisconnectDialogContent {...contentProps} ref={ref}>
        <DisconnectDialogTitle>
          {formatMessage(resolved, 'dialog.title', { organisation, title: integrationTitle })}
        </DisconnectDialogTitle>
        <DisconnectDialogDescription />
        <DisconnectDialogError />
        <DisconnectDialogFooter>
          <DisconnectDialogCancel />
          <DisconnectDialogConfirm />
        </DisconnectDialogFooter>
      </DisconnectDialogContent>
    </DisconnectDialogRoot>
  );
});
