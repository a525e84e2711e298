import { useCallback, useState } from 'react';

import { useLatest } from '../../react/use-latest';

/** Options of {@link useControllableState}. */
export interface UseControllableStateOptions<T> {
  /** The controlled value; `undefined` means uncontrolled. */
  prop: T | undefined;
  /** The initial value when uncontrolled. */
  defaultProp: T;
  /** Called with every requested change, controlled or not, but only when the value differs. */
  onChange?: ((value: T) => void) | undefined;
}

/**
 * State a host may drive (`open` + `onOpenChange`) or leave to the component (`defaultOpen`).
 * Returns the current value and a setter that updates internal state when uncontrolled and
 * always tells `onChange` (read fresh, so a new function each render is fine).
 */
export function useControllableState<T>({
  prop,
  defaultProp,
  onChange,
}: UseControllableStateOptions<T>): [value: T, setValue: (next: T) => void] {
  const [uncontrolled, setUncontrolled] = useState(defaultProp);
  const isControlled = prop !== undefined;
  const value = isControlled ? prop : uncontrolled;
  const onChangeRef = useLatest(onChange);
  const valueRef = useLatest(value);

  const setValue = useCallback(
    (next: T) => {
      if (!isControlled) setUncontrolled(next);
      if (!Object.is(next, valueRef.current)) onChangeRef.current?.(next);
    },
    [isControlled, onChangeRef, valueRef],
  );

  return [value, setValue];
}
