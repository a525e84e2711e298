import { useState } from 'react';

import type { XeroConnectionStateStatus } from '../../react/types';

/** Which stretch of one status the card is showing: `run` goes up each time the settled status changes. */
export interface StatusRun {
  /** The last settled status (never `loading`), or `null` before the first answer. */
  status: Exclude<XeroConnectionStateStatus, 'loading'> | null;
  run: number;
}

/** A piece of the card's UI state, kept with the run it belongs to. */
export interface InRun<T> {
  run: number;
  value: T;
}

/** `stored`'s value while its run lasts, else `null`: what was said about an earlier status is not shown beside a later one. */
export function inRun<T>(stored: InRun<T> | null, current: StatusRun): T | null {
  return stored !== null && stored.run === current.run ? stored.value : null;
}

/**
 * Numbers the runs of the statuses a card shows: the number goes up whenever the settled status
 * differs from the last one (`loading` while a failed read is retried is no change). The card
 * keeps its UI state (the "just disconnected" notice, a failed action, the picker's choice) with
 * the run it belongs to and derives what to show from it, so nothing is reset when the status
 * moves on, and nothing stale comes back if the status later returns (another tab connects, then
 * disconnects).
 *
 * Whether the status moved on since the last render is the one thing the current state cannot
 * say, so it is remembered here, in React's "information from previous renders" way: a
 * guarded update during render, which React applies before committing. An effect would commit
 * one render of the old run first.
 */
export function useStatusRun(status: XeroConnectionStateStatus): StatusRun {
  const [tracked, setTracked] = useState<StatusRun>(() => ({ status: status === 'loading' ? null : status, run: 0 }));
  if (status === 'loading' || status === tracked.status) return tracked;
  const next: StatusRun = { status, run: tracked.run + 1 };
  setTracked(next);
  return next;
}
