import { createContext } from 'react';

import { usePartContext } from '../internal/use-part-context';
import type { XeroConnectionMessages } from '../messages';

/**
 * Where the confirm step is, as a union on `status`: nothing asked yet, waiting for `onConfirm`,
 * or `onConfirm` failed with `error`. The DOM mirrors `status` in `data-confirm-state`.
 */
export type DisconnectDialogConfirmState =
  | { status: 'idle' }
  | { status: 'pending' }
  | { status: 'failed'; error: unknown };

/** @internal What the parts share; created by `DisconnectDialogRoot`. */
export interface DisconnectDialogContextValue {
  confirmState: DisconnectDialogConfirmState;
  /** Runs the host's `onConfirm` once (later calls while pending are ignored). */
  confirm: () => void;
  messages: XeroConnectionMessages;
  /** Turns a failure into the `{reason}` of 'dialog.failed'. */
  describeError: (error: unknown) => string;
  /** `false` drops the attributes the default stylesheet keys on. */
  styled: boolean;
}

/** @internal */
export const DisconnectDialogContext = /* @__PURE__ */ createContext<DisconnectDialogContextValue | null>(null);

/** @internal Reads the dialog's context, or says which part was used outside `DisconnectDialogRoot`. */
export function useDisconnectDialogContext(partName: string): DisconnectDialogContextValue {
  return usePartContext(DisconnectDialogContext, partName, 'DisconnectDialogRoot', 'DisconnectDialog');
}
