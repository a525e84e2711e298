import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, renderHook, screen, waitFor } from '@testing-library/react';
import { StrictMode, type ReactNode } from 'react';
import { describe, expect, test, vi } from 'vitest';

import { XeroConnectionUsageError, createXeroConnectionClient } from '../../src/client';
import {
  XeroConnectionProvider,
  connectionQueryOptions,
  useXeroConnection,
  xeroConnectionKeys,
  type ConnectedConnection,
  type XeroConnectionEvent,
} from '../../src/react';
import { BASE_URL, fixture, providerWrapper, startFakeBackend, setUpWorker } from './support';

setUpWorker();

function StatusBadge({ id, onEvent }: { id: number; onEvent?: (event: XeroConnectionEvent) => void }) {
  const { state } = useXeroConnection({ onEvent });
  return <output data-testid={`badge-${id}`} data-state={state.status}>{state.status}</output>;
}

// React reports errors thrown while rendering to the console as well; keep the output readable.
function silenceConsoleError() {
  return vi.spyOn(console, 'error').mockImplementation(() => {});
}

describe('one request for many consumers', () => {
  test('ten cards under one provider send one GET and all show the state', async () => {
    const backend = startFakeBackend('connected');
    render(
      <XeroConnectionProvider baseUrl={BASE_URL}>
        {Array.from({ length: 10 }, (_, id) => (
          <StatusBadge key={id} id={id} />
        ))}
      </XeroConnectionProvider>,
    );
    await waitFor(() => expect(screen.getAllByText('connected')).toHaveLength(10));
    expect(backend.requestsTo('getConnection')).toHaveLength(1);
  });
});

describe('StrictMode', () => {
  test('one GET, one status_viewed per status, onConnected once', async () => {
    const backend = startFakeBackend('disconnected');
    const events: XeroConnectionEvent[] = [];
    const onConnected = vi.fn<(connection: ConnectedConnection) => void>();
    const { Wrapper } = providerWrapper();
    const { result } = renderHook(() => useXeroConnection({ onConnected, onEvent: (event) => void events.push(event) }), {
      wrapper: ({ children }: { children?: ReactNode }) => (
        <StrictMode>
          <Wrapper>{children}</Wrapper>
        </StrictMode>
      ),
    });
    await waitFor(() => expect(result.current.state.status).toBe('disconnected'));
    expect(backend.requestsTo('getConnection')).toHaveLength(1);

    backend.setConnection(fixture('connected'));
    await result.current.verify();
    await waitFor(() => expect(result.current.state.status).toBe('connected'));

    expect(backend.requestsTo('verify')).toHaveLength(1);
    expect(onConnected).toHaveBeenCalledTimes(1);
    expect(events.filter((event) => event.type === 'status_viewed')).toEqual([
      { type: 'status_viewed', status: 'disconnected', reason: 'user_disconnected' },
      { type: 'status_viewed', status: 'connected', reason: null },
    ]);
    expect(events.filter((event) => event.type === 'connected')).toHaveLength(1);
  });
});

describe('provider misuse says what to do', () => {
  test('the hook outside the provider names both', () => {
    const spy = silenceConsoleError();
    expect(() => renderHook(() => useXeroConnection())).toThrow(XeroConnectionUsageError);
    expect(() => renderHook(() => useXeroConnection())).toThrow(
      'useXeroConnection() must be used within <XeroConnectionProvider>. Wrap the part of your app that renders it in <XeroConnectionProvider baseUrl="/api/integrations/xero-billing">.',
    );
    spy.mockRestore();
  });

  test('both client and baseUrl is an error naming the props', () => {
    const spy = silenceConsoleError();
    const client = createXeroConnectionClient({ baseUrl: BASE_URL });
    const props = { client, baseUrl: BASE_URL } as unknown as { baseUrl: string };
    expect(() => render(<XeroConnectionProvider {...props} />)).toThrow(/takes either a client or a baseUrl prop, not both/);
    spy.mockRestore();
  });

  test('neither client nor baseUrl is an error naming the props', () => {
    const spy = silenceConsoleError();
    const props = {} as unknown as { baseUrl: string };
    expect(() => render(<XeroConnectionProvider {...props} />)).toThrow(/needs a client or a baseUrl prop/);
    spy.mockRestore();
  });
});

describe("the host's QueryClient", () => {
  test('given as a prop: a prefetch through connectionQueryOptions means no GET on render', async () => {
    const backend = startFakeBackend('connected');
    const client = createXeroConnectionClient({ baseUrl: BASE_URL });
    const queryClient = new QueryClient();
    await queryClient.prefetchQuery(connectionQueryOptions(client));
    expect(backend.requestsTo('getConnection')).toHaveLength(1);

    render(
      <XeroConnectionProvider client={client} queryClient={queryClient}>
        <StatusBadge id={1} />
      </XeroConnectionProvider>,
    );
    expect(screen.getByTestId('badge-1').dataset.state).toBe('connected');
    expect(backend.requestsTo('getConnection')).toHaveLength(1);
  });

  test('found in context: the same cache, so the host can read and invalidate it by key', async () => {
    const backend = startFakeBackend('connected');
    const queryClient = new QueryClient();
    await queryClient.prefetchQuery(connectionQueryOptions(createXeroConnectionClient({ baseUrl: BASE_URL })));

    render(
      <QueryClientProvider client={queryClient}>
        <XeroConnectionProvider baseUrl={BASE_URL}>
          <StatusBadge id={2} />
        </XeroConnectionProvider>
      </QueryClientProvider>,
    );
    expect(screen.getByTestId('badge-2').dataset.state).toBe('connected');
    expect(backend.requestsTo('getConnection')).toHaveLength(1);

    backend.setConnection(fixture('needsReauthExpired'));
    await queryClient.invalidateQueries({ queryKey: xeroConnectionKeys.all });
    await waitFor(() => expect(screen.getByTestId('badge-2').dataset.state).toBe('needs_reauth'));
    expect(queryClient.getQueryData(xeroConnectionKeys.connection(BASE_URL))).toMatchObject({ status: 'needs_reauth' });
  });

  test('without one, the provider makes its own', async () => {
    const backend = startFakeBackend('tenantRemovedInXero');
    render(
      <XeroConnectionProvider baseUrl={BASE_URL}>
        <StatusBadge id={3} />
      </XeroConnectionProvider>,
    );
    await waitFor(() => expect(screen.getByTestId('badge-3').dataset.state).toBe('needs_reauth'));
    expect(backend.requestsTo('getConnection')).toHaveLength(1);
  });
});
