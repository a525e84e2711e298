import type { Ref } from 'react';

/**
 * One ref callback that fills every ref given: a part's own (the card's focus target) and the
 * host's forwarded one, so neither has to give way. Keep the result stable (`useCallback`) or
 * React detaches and re-attaches it on every render.
 */
export function assignRefs<T>(element: T | null, ...refs: ReadonlyArray<Ref<T> | undefined>): void {
  for (const ref of refs) {
    if (typeof ref === 'function') ref(element);
    else if (ref) ref.current = element;
  }
}
