import { QueryClient } from '@tanstack/react-query';
import type { Decorator } from '@storybook/react-vite';
import { useEffect, useState, type ReactNode } from 'react';
import { fn, type Mock } from 'storybook/test';

import { XeroConnectionProvider } from '../../src';
import {
  createXeroConnectionClient,
  withConnectOutcome,
  withReconnectRequest,
  withoutConnectReturn,
  type ConnectReturn,
  type XeroConnectionClient,
} from '../../src/client';
import {
  FAKE_AUTHORIZE_ORIGIN,
  createScenarioBackend,
  type FakeXeroBackend,
  type XeroConnectionScenarioName,
} from '../../src/testing';
import { registerStoryBackend } from './story-backends';

// Every card and hook story talks to its own stateful fake backend from `./testing`, through the
// msw worker that preview.tsx starts (story-backends.ts): a story names a scenario, and clicking
// through it really changes what the next GET answers. Xero's consent screen is simulated by
// `navigate`: the backend finishes the round trip (GET /callback) and the page "loads again" at
// the return URL (`?xero=connected`, `?xero=error&code=…`), as after a real redirect.

/**
 * The integration's base URL in a story: one per story, since a docs page shows several stories
 * at once on one msw worker, each with its own backend.
 */
export function storyBaseUrl(storyId: string): string {
  return `/api/integrations/${storyId}`;
}

/** What a story says about its backend, as `parameters.xeroConnection`. */
export interface XeroConnectionStoryParameters {
  /** The backend's situation (see `scenarios` in `./testing`). Default `connected`. */
  scenario?: XeroConnectionScenarioName;
  /** Further changes to the backend after the scenario: a longer name, a held answer, … */
  setup?: (backend: FakeXeroBackend) => void;
  /**
   * When a story connects: `return` (default) plays Xero's consent screen with the backend's
   * consent choice (see `setConsent`; `consent_cancelled` denies) and comes back to the page;
   * `stay` never comes back (the page would be at Xero).
   */
  xero?: 'return' | 'stay';
  /** Opens the story as the page Xero's round trip returns to, with this outcome in the URL. */
  arrive?: ConnectReturn['outcome'];
  /** Opens the story from a reconnect link for its integration (an event's `reconnectUrl`: `?xero=reconnect&xeroIntegration=…`). */
  reconnectLink?: boolean;
}

/** What the loader prepares for one story: `context.loaded.xero`. */
export interface XeroConnectionStoryContext {
  baseUrl: string;
  backend: FakeXeroBackend;
  client: XeroConnectionClient;
  /** The provider's `navigate`: a spy that records the authorize URL and plays Xero's part. */
  navigate: Mock<(url: string) => void>;
  /** Fires `load` when the simulated redirect brings the browser back to the page. */
  page: EventTarget;
}

/** The story's fake backend, client and spies (from {@link xeroConnectionLoader}). */
export function xeroOf(context: { loaded: Record<string, unknown> }): XeroConnectionStoryContext {
  const xero = context.loaded.xero as XeroConnectionStoryContext | undefined;
  if (!xero) throw new Error('This story needs xeroConnectionLoader and withXeroConnection (stories/support/xero-connection.tsx).');
  return xero;
}

// Typed by the fields used, so one loader and hook fit every story's args.
function parametersOf(context: { parameters: Record<string, unknown> }): XeroConnectionStoryParameters {
  return (context.parameters.xeroConnection as XeroConnectionStoryParameters | undefined) ?? {};
}

function replaceUrl(url: string): void {
  window.history.replaceState(window.history.state, '', url);
}

/** Makes a fresh backend, client and page for each story render (no state leaks between stories). */
export function xeroConnectionLoader(context: { id: string; parameters: Record<string, unknown> }): { xero: XeroConnectionStoryContext } {
  const parameters = parametersOf(context);
  const baseUrl = storyBaseUrl(context.id);
  const backend = createScenarioBackend(parameters.scenario ?? 'connected', { baseUrl });
  parameters.setup?.(backend);
  // No read retries: an error state shows at once instead of after the client's backoff.
  const client = createXeroConnectionClient({ baseUrl, retry: false });
  const page = new EventTarget();
  const navigate = fn((url: string) => {
    if (parameters.xero === 'stay' || !url.startsWith(FAKE_AUTHORIZE_ORIGIN)) return;
    // Xero's consent screen, simulated: the user answers, Xero redirects to the backend's
    // callback, the backend redirects to returnTo, and the page loads again there.
    window.setTimeout(() => {
      replaceUrl(backend.returnFromXero(new URL(url).searchParams.get('state') ?? undefined));
      page.dispatchEvent(new Event('load'));
    }, 400);
  }).mockName('navigate');
  if (parameters.arrive) replaceUrl(withConnectOutcome(window.location.href, parameters.arrive));
  if (parameters.reconnectLink) replaceUrl(withReconnectRequest(window.location.href, baseUrl));
  return { xero: { baseUrl, backend, client, navigate, page } };
}

/**
 * Serves the story's backend through the msw worker until the story is torn down (a
 * `beforeEach`); the teardown also takes a return from Xero the story did not read off the URL.
 */
export function installXeroBackend(context: { loaded: Record<string, unknown> }): () => void {
  const unregister = registerStoryBackend(xeroOf(context).backend);
  return () => {
    unregister();
    replaceUrl(withoutConnectReturn(window.location.href));
  };
}

// A page load after the redirect: a fresh cache and a fresh mount, which reads the return.
function Page({ xero, children }: { xero: XeroConnectionStoryContext; children: ReactNode }) {
  const [load, setLoad] = useState(() => ({ count: 0, queryClient: new QueryClient() }));
  useEffect(() => {
    const onLoad = () => setLoad((previous) => ({ count: previous.count + 1, queryClient: new QueryClient() }));
    xero.page.addEventListener('load', onLoad);
    return () => xero.page.removeEventListener('load', onLoad);
  }, [xero.page]);
  return (
    <XeroConnectionProvider key={load.count} client={xero.client} queryClient={load.queryClient} navigate={xero.navigate}>
      {children}
    </XeroConnectionProvider>
  );
}

/** Wraps the story in `<XeroConnectionProvider>` for its fake backend. */
export const withXeroConnection: Decorator = (Story, context) => (
  <Page xero={xeroOf(context)}>
    <Story />
  </Page>
);
