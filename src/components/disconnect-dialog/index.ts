export { DisconnectDialog, type DisconnectDialogProps } from './disconnect-dialog';
export type { DisconnectDialogConfirmState } from './disconnect-dialog-context';
export {
  DisconnectDialogCancel,
  DisconnectDialogConfirm,
  DisconnectDialogContent,
  DisconnectDialogDescription,
  DisconnectDialogError,
  DisconnectDialogFooter,
  DisconnectDialogTitle,
  DisconnectDialogTrigger,
  type DisconnectDialogCancelProps,
  type DisconnectDialogConfirmProps,
  type DisconnectDialogContentProps,
  type DisconnectDialogDescriptionProps,
  type DisconnectDialogErrorProps,
  type DisconnectDialogFooterProps,
  type DisconnectDialogTitleProps,
  type DisconnectDialogTriggerProps,
} from './disconnect-dialog-parts';
export { DisconnectDialogRoot, type DisconnectDialogRootProps } from './disconnect-dialog-root';
