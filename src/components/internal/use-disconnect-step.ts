import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';

import type { UseXeroConnectionResult } from '../../react/types';
import { useLatest } from '../../react/use-latest';
import type { DisconnectedNotice } from '../xero-connection-card/describe-state';
import { inRun, useStatusRun, type InRun, type StatusRun } from './use-status-run';

/** What {@link useDisconnectStep} gives the card and the notice. */
export interface DisconnectStep {
  /** Where the component is in the statuses it has shown. */
  current: StatusRun;
  /**
   * The run a status will show in once an action that brings it settles: this one if the
   * component shows one of `statuses` already, else the next (the answer and its status can
   * commit together). For handlers: it reads the run as last committed.
   */
  runOf: (...statuses: ReadonlyArray<UseXeroConnectionResult['state']['status']>) => number;
  /** The run as last committed, for what a handler says about the status shown now. */
  committedRun: () => number;
  /** Set right after a disconnect made here, while the status stays `disconnected`. */
  notice: DisconnectedNotice | null;
  /** Forgets the notice (a new problem supersedes it). */
  forget: () => void;
  /** Give it "Set up … again": focus goes there after the disconnect. */
  setUpAgainRef: RefObject<HTMLButtonElement | null>;
  /** `true` while focus is on its way to the next step (the focus fallback must not take it). */
  pendingFocusRef: RefObject<boolean>;
  /** The `DisconnectDialog`'s props, naming `organisation` when it opens; `onOpen` runs then too. */
  dialogProps: (
    organisation: string | null,
    onOpen: () => void,
  ) => {
    open: boolean;
    onOpenChange: (open: boolean) => void;
    organisationName: string | null;
    onConfirm: () => Promise<void>;
    onCancel: () => void;
    onCloseAutoFocus: (event: Event) => void;
  };
}

/**
 * The help page's disconnect step, as the card and the notice both walk it: the confirmation
 * (naming the organisation as it was when it opened, since the state loses it before the dialog
 * closes), the "just disconnected" notice for as long as the status stays disconnected, and focus
 * on "Set up … again" afterwards, or on `titleRef` without one: Radix would return it to the
 * trigger, which went away with the old state.
 */
export function useDisconnectStep(xero: UseXeroConnectionResult, titleRef: RefObject<HTMLElement | null>): DisconnectStep {
  const current = useStatusRun(xero.state.status);
  // Handlers settle after later renders; they read the run as last committed, not as they saw it.
  const currentRef = useLatest(current);
  const runOf: DisconnectStep['runOf'] = (...statuses) => {
    const { status, run } = currentRef.current;
    return status !== null && statuses.includes(status) ? run : run + 1;
  };

  const [open, setOpen] = useState(false);
  const [organisationName, setOrganisationName] = useState<string | null>(null);
  const [stored, setStored] = useState<InRun<DisconnectedNotice> | null>(null);
  const notice = xero.state.status === 'disconnected' ? inRun(stored, current) : null;
  const setUpAgainRef = useRef<HTMLButtonElement | null>(null);
  const pendingFocusRef = useRef(false);

  const focusNextStep = useCallback(() => {
    const target = setUpAgainRef.current ?? titleRef.current;
    if (!target) return;
    target.focus();
    pendingFocusRef.current = false;
  }, [titleRef]);
  const disconnected = notice !== null;
  useEffect(() => {
    if (pendingFocusRef.current && !open && disconnected) focusNextStep();
  }, [open, disconnected, focusNextStep]);

  return {
    current,
    runOf,
    committedRun: () => currentRef.current.run,
    notice,
    forget: () => setStored(null),
    setUpAgainRef,
    pendingFocusRef,
    dialogProps: (organisation, onOpen) => ({
      open,
      onOpenChange: (next) => {
        if (next) {
          onOpen();
          setOrganisationName(organisation);
          xero.track({ type: 'disconnect_requested' });
        }
        setOpen(next);
      },
      organisationName,
      onConfirm: async () => {
        const result = await xero.disconnect();
        pendingFocusRef.current = true;
        setStored({ run: runOf('disconnected'), value: { remoteRemoved: result.remoteRemoved } });
      },
      onCancel: () => xero.track({ type: 'disconnect_cancelled' }),
      onCloseAutoFocus: (event) => {
        if (!pendingFocusRef.current) return;
        event.preventDefault();
        focusNextStep();
      },
    }),
  };
}
