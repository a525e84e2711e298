import type { UseXeroConnectionOptions } from '../../react/types';

/**
 * Takes `useXeroConnection()`'s options out of a component's props, so the rest can go to its
 * root element and none of them is listed twice.
 */
export function splitHookOptions<P extends UseXeroConnectionOptions>({
  mode,
  popupFallback,
  canManage,
  expiringWithinDays,
  onConnected,
  onDisconnected,
  onError,
  onEvent,
  ...rest
}: P): [options: UseXeroConnectionOptions, rest: Omit<P, keyof UseXeroConnectionOptions>] {
  return [{ mode, popupFallback, canManage, expiringWithinDays, onConnected, onDisconnected, onError, onEvent }, rest];
}
