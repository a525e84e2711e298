import { useEffect, useLayoutEffect, useRef, type RefObject } from 'react';

// useLayoutEffect so the ref is current before any effect or event handler reads it; on the server
// (no document) useEffect, which React skips there without the warning useLayoutEffect gives.
// Shared with the components (one copy in the bundle).
export const useIsomorphicLayoutEffect = typeof document === 'undefined' ? useEffect : useLayoutEffect;

/**
 * A ref that always holds the latest `value`, for callbacks passed by the host: handlers read
 * `ref.current` when they run, so a new function each render never goes stale and never re-runs
 * effects. Read it in effects and handlers only, not during render.
 */
export function useLatest<T>(value: T): RefObject<T> {
  const ref = useRef(value);
  useIsomorphicLayoutEffect(() => {
    ref.current = value;
  });
  return ref;
}
