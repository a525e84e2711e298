import { QueryClient, QueryClientContext, QueryClientProvider } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

import { XeroConnectionUsageError, createXeroConnectionClient, type XeroConnectionClient } from '../client';
import type { ConnectWindowMode, PopupFallback } from './types';
import { useLatest } from './use-latest';

const EXAMPLE_BASE_URL = '/api/integrations/xero-billing';

/**
 * Props of {@link XeroConnectionProvider}: either a `client` or a `baseUrl`, never both.
 */
export type XeroConnectionProviderProps = {
  /**
   * The QueryClient to cache the connection in. Default: the one from a `QueryClientProvider`
   * above, or else one of the provider's own (so apps without react-query work too).
   */
  queryClient?: QueryClient;
  /**
   * How `connect()` sends the browser to Xero. Default `window.location.assign`, looked up only
   * when called. Pass your router's navigation or a test spy. Always the latest function passed.
   */
  navigate?: (url: string) => void;
  /**
   * How connect and reconnect go through Xero's consent screen for every hook and card below:
   * `redirect` (default, the whole page goes and comes back) or `popup` (opt-in). A hook's or
   * card's own `mode` wins.
   */
  mode?: ConnectWindowMode | undefined;
  /**
   * When the browser blocks the pop-up: `redirect` (default) goes on as a full-page redirect,
   * `none` stops and reports `popup_blocked`. A hook's or card's own `popupFallback` wins.
   */
  popupFallback?: PopupFallback | undefined;
  children?: ReactNode;
} &
  (
    | {
        /** A client from `createXeroConnectionClient()`, for custom headers, fetch, timeouts or retries. */
        client: XeroConnectionClient;
        baseUrl?: never;
      }
    | {
        /** The integration's base URL, e.g. `/api/integrations/xero-billing`; a default client is made for it. */
        baseUrl: string;
        client?: never;
      }
  );

/** What the provider gives its hooks. */
export interface XeroConnectionContextValue {
  /** The integration's client: the `client` prop, or a default one for `baseUrl`. */
  readonly client: XeroConnectionClient;
  /** Where the connection is cached: the prop, the host's from context, or the provider's own. */
  readonly queryClient: QueryClient;
  /** Sends the browser to `url` (the provider's `navigate`, or `window.location.assign`). */
  readonly navigate: (url: string) => void;
  /** The provider's default window mode for the round trip. */
  readonly mode: ConnectWindowMode;
  /** The provider's default for a blocked pop-up. */
  readonly popupFallback: PopupFallback;
}

// `@__PURE__` on module-level React calls (here and in the components) lets a bundler drop what a
// host's import does not reach: without it, `import { useXeroConnection }` kept the card and Radix.
const XeroConnectionContext = /* @__PURE__ */ createContext<XeroConnectionContextValue | null>(null);

function defaultNavigate(url: string): void {
  window.location.assign(url);
}

function assertOneSource(props: { client?: unknown; baseUrl?: unknown }): void {
  const hasClient = props.client !== undefined;
  const hasBaseUrl = props.baseUrl !== undefined;
  if (hasClient && hasBaseUrl) {
    throw new XeroConnectionUsageError(
      '<XeroConnectionProvider> takes either a client or a baseUrl prop, not both: the client already has a baseUrl. ' +
        'Remove baseUrl, or remove client to use a default client for that baseUrl.',
      null,
    );
  }
  if (!hasClient && !hasBaseUrl) {
    throw new XeroConnectionUsageError(
      `<XeroConnectionProvider> needs a client or a baseUrl prop, e.g. <XeroConnectionProvider baseUrl="${EXAMPLE_BASE_URL}">.`,
      null,
    );
  }
}

// Mounting subscribes the QueryClient to window focus and online events (reference counted, so it
// is harmless if the host mounts it too). A QueryClientProvider does this for the clients it holds.
function useMountedQueryClient(queryClient: QueryClient | undefined): void {
  useEffect(() => {
    if (!queryClient) return undefined;
    queryClient.mount();
    return () => queryClient.unmount();
  }, [queryClient]);
}

/**
 * Provides one integration's Xero connection to `useXeroConnection()` and the components below it.
 *
 * Uses the host's QueryClient when one is passed or above it, and otherwise makes its own. Every
 * hook below it for the same base URL shares one request and one cache entry.
 *
 * @example
 * ```tsx
 * <XeroConnectionProvider baseUrl="/api/integrations/xero-billing">
 *   <XeroConnectionCard />
 * </XeroConnectionProvider>
 * ```
 * @throws {XeroConnectionUsageError} when both or neither of `client` and `baseUrl` are given.
 */
export function XeroConnectionProvider(props: XeroConnectionProviderProps): ReactNode {
  assertOneSource(props);
  const {
    client: givenClient,
    baseUrl,
    queryClient: givenQueryClient,
    navigate,
    mode = 'redirect',
    popupFallback = 'redirect',
    children,
  } = props;

  const defaultClient = useMemo(
    () => (givenClient || baseUrl === undefined ? null : createXeroConnectionClient({ baseUrl })),
    [givenClient, baseUrl],
  );
  const client = givenClient ?? defaultClient;

  const hostQueryClient = useContext(QueryClientContext);
  // Made once, on first render, only when the host has none; kept for the provider's lifetime.
  const [ownQueryClient] = useState(() => (givenQueryClient || hostQueryClient ? null : new QueryClient()));
  const queryClient = givenQueryClient ?? hostQueryClient ?? ownQueryClient ?? undefined;
  useMountedQueryClient(givenQueryClient);

  const navigateRef = useLatest(navigate);
  const navigateTo = useCallback((url: string) => (navigateRef.current ?? defaultNavigate)(url), [navigateRef]);

  // Only if the host's QueryClient went away after the first render (a removed provider) is there
  // none here; a provider key that changes with it makes a fresh one.
  if (!client || !queryClient) {
    throw new XeroConnectionUsageError(
      '<XeroConnectionProvider> lost its QueryClient: a queryClient prop or QueryClientProvider above it was removed after the first render. Give the provider a key that changes with it.',
      null,
    );
  }
  const value = useMemo<XeroConnectionContextValue>(
    () => ({ client, queryClient, navigate: navigateTo, mode, popupFallback }),
    [client, queryClient, navigateTo, mode, popupFallback],
  );

  const provided = <XeroConnectionContext.Provider value={value}>{children}</XeroConnectionContext.Provider>;
  return ownQueryClient && !givenQueryClient && !hostQueryClient ? (
    <QueryClientProvider client={ownQueryClient}>{provided}</QueryClientProvider>
  ) : (
    provided
  );
}

/**
 * The nearest provider's value, for this package's hooks.
 *
 * @param hookName - The calling hook, named in the error.
 * @throws {XeroConnectionUsageError} outside a {@link XeroConnectionProvider}; the message names the hook and the provider.
 */
export function useXeroConnectionContext(hookName: string): XeroConnectionContextValue {
  const value = useContext(XeroConnectionContext);
  if (!value) {
    throw new XeroConnectionUsageError(
      `${hookName}() must be used within <XeroConnectionProvider>. Wrap the part of your app that renders it in <XeroConnectionProvider baseUrl="${EXAMPLE_BASE_URL}">.`,
      null,
    );
  }
  return value;
}
