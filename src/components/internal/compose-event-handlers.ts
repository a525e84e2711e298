/**
 * Runs the host's handler first, then ours unless the host called `event.preventDefault()`.
 * This is how a host opts out of a part's built-in behaviour (Radix does the same).
 *
 * @param theirs - the handler passed in props, if any.
 * @param ours - the part's own behaviour.
 */
export function composeEventHandlers<E extends { defaultPrevented: boolean }>(
  theirs: ((event: E) => void) | undefined,
  ours: (event: E) => void,
): (event: E) => void {
  return (event) => {
    theirs?.(event);
    if (!event.defaultPrevented) ours(event);
  };
}
