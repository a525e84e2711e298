import { createContext, type RefObject } from 'react';

import type { Connection, Tenant } from '../../client';
import type { DisconnectStep } from '../internal/use-disconnect-step';
import { usePartContext } from '../internal/use-part-context';
import type { UseXeroConnectionResult } from '../../react/types';
import type { ResolvedBaseProps } from '../xero-connection-base-props';
import type { OutcomeDescription } from './describe-outcome';
import type { StateDescription, StatusSentence } from './describe-state';

/** @internal An action's failure, said beside the state it failed in. */
export interface CardFailure {
  /** Names the action in `data-action`. */
  action: 'connect' | 'reconnect' | 'verify' | 'retry' | 'choose-organisation';
  text: string;
}

/** @internal What the card's parts share; made by `XeroConnectionCardRoot` from the hook's state and the card's own. */
export interface XeroConnectionCardContextValue extends ResolvedBaseProps {
  xero: UseXeroConnectionResult;
  /** The title's `id`: the root's `aria-labelledby`. */
  headingId: string;
  /** The picker's form, submitted by "Use this organisation" through its `form` attribute. */
  pickerFormId: string;
  description: StateDescription;
  /** The live region's sentences: the state's, and how the round trip (or the choice) ended. */
  sentences: readonly StatusSentence[];
  /** The connection the details list describes, or `null` when the state has none worth showing. */
  details: Connection | null;
  /** How the round trip ended; an `alert` tone is shown by `XeroConnectionCardOutcome`. */
  outcome: OutcomeDescription | null;
  failure: CardFailure | null;
  /** Set right after a disconnect made in this card, while it stays disconnected. */
  justDisconnected: boolean;
  picker: {
    shown: boolean;
    organisations: readonly Tenant[];
    selected: Tenant | null;
    error: string | null;
    onSelect: (tenantId: string) => void;
    onSubmit: () => void;
    firstRadioRef: RefObject<HTMLInputElement | null>;
  };
  askAdmin: boolean;
  /** The disconnect dialog's props (the trigger aside). */
  dialog: ReturnType<DisconnectStep['dialogProps']>;
  actions: {
    connect: () => void;
    reconnect: () => void;
    verify: () => void;
    retry: () => void;
    choose: (tenant: Tenant) => void;
  };
  /** Receives the title, where focus goes when the focused button goes away. */
  headingRef: (element: HTMLHeadingElement | null) => void;
  /** Receives "Set up … again", where focus goes after a disconnect. */
  setUpAgainRef: RefObject<HTMLButtonElement | null>;
}

/** @internal */
export const XeroConnectionCardContext = /* @__PURE__ */ createContext<XeroConnectionCardContextValue | null>(null);

/** @internal Reads the card's context, or says which part was used outside `XeroConnectionCardRoot`. */
export function useXeroConnectionCardContext(partName: string): XeroConnectionCardContextValue {
  return usePartContext(XeroConnectionCardContext, partName, 'XeroConnectionCardRoot', 'XeroConnectionCard');
}
