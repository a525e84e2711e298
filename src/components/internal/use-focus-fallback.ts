import { useCallback, useRef, type FocusEvent, type RefObject } from 'react';

import { useIsomorphicLayoutEffect } from '../../react/use-latest';

/**
 * A button that goes away with its state ("Try again" → loading, "Reconnect" → connected again)
 * would drop keyboard users on `<body>`: after such a render, focus goes to `fallbackRef` (the
 * component's title) instead, unless `skipRef` says another step takes it. Returns the `onFocus`
 * handler for the component's root, which remembers what had focus (the host's `onFocus` first).
 */
export function useFocusFallback<E extends HTMLElement>(
  fallbackRef: RefObject<HTMLElement | null>,
  skipRef: RefObject<boolean>,
  onFocus: ((event: FocusEvent<E>) => void) | undefined,
): (event: FocusEvent<E>) => void {
  const lastFocusedRef = useRef<HTMLElement | null>(null);

  useIsomorphicLayoutEffect(() => {
    const last = lastFocusedRef.current;
    if (!last || last.isConnected) return;
    lastFocusedRef.current = null;
    const active = document.activeElement;
    if ((active === null || active === document.body) && !skipRef.current) fallbackRef.current?.focus();
  });

  return useCallback(
    (event: FocusEvent<E>) => {
      onFocus?.(event);
      // Portaled dialog content bubbles here through React too; only the component's own DOM counts.
      if (event.currentTarget.contains(event.target)) lastFocusedRef.current = event.target;
    },
    [onFocus],
  );
}
