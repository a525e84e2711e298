import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';

import {
  createXeroConnectionClient,
  isXeroConnectionContractError,
  isXeroConnectionUsageError,
  type ConnectRequest,
} from '../../src/client';
import { BASE_URL, answer, connectAnswer, endpoint, narrow, rejectionOf, setupMswServer } from './support';

const server = setupMswServer();
const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: false });
const connect = endpoint('connect');

function countRequests(): { count: () => number } {
  let count = 0;
  server.use(
    answer(connect, () => {
      count += 1;
      return HttpResponse.json(connectAnswer);
    }),
  );
  return { count: () => count };
}

describe('connect', () => {
  it('posts the validated request as JSON and resolves to the authorize URL', async () => {
    let received: unknown;
    server.use(
      answer(connect, async ({ request }) => {
        received = await request.json();
        return HttpResponse.json(connectAnswer);
      }),
    );

    const result = await client.connect({
      returnTo: 'https://portal.example/settings/integrations?tab=xero',
      mode: 'reauth',
      expectedTenantId: 'tenant-1',
    });

    expect(result).toEqual(connectAnswer);
    expect(received).toEqual({
      returnTo: 'https://portal.example/settings/integrations?tab=xero',
      mode: 'reauth',
      expectedTenantId: 'tenant-1',
    });
  });

  it('rejects an authorizeUrl with a javascript: scheme, naming authorizeUrl', async () => {
    server.use(answer(connect, () => HttpResponse.json({ ...connectAnswer, authorizeUrl: 'javascript:alert(document.cookie)' })));

    const error = narrow(await rejectionOf(connect.call(client)), isXeroConnectionContractError);

    expect(error.issues).toEqual([{ path: 'authorizeUrl', message: 'expected an http(s) URL' }]);
    expect(error.message).toBe('POST /connect answered 200 with a body that breaks the contract: authorizeUrl: expected an http(s) URL');
  });

  it('rejects a data: authorizeUrl and an expiresAt that is not a timestamp', async () => {
    server.use(
      answer(connect, () =>
        HttpResponse.json({ ...connectAnswer, authorizeUrl: 'data:text/html,<script>1</script>', expiresAt: 'in ten minutes' }),
      ),
    );

    const error = narrow(await rejectionOf(connect.call(client)), isXeroConnectionContractError);

    expect(error.issues.map((issue) => issue.path).sort()).toEqual(['authorizeUrl', 'expiresAt']);
  });

  it.each<[string, unknown, string]>([
    ['an unknown mode', { returnTo: 'https://portal.example/', mode: 'x' }, 'mode'],
    ['an unknown extra field', { returnTo: 'https://portal.example/', mode: 'connect', tenant: 'abc' }, 'unknown field "tenant"'],
    ['a missing returnTo', { mode: 'connect' }, 'returnTo'],
    ['a javascript: returnTo', { returnTo: 'javascript:alert(1)', mode: 'connect' }, 'returnTo: expected an http(s) URL'],
    ['an empty expectedTenantId', { returnTo: 'https://portal.example/', mode: 'reauth', expectedTenantId: '' }, 'expectedTenantId'],
  ])('rejects %s with a usage error naming the field, and sends nothing', async (_case, request, named) => {
    const requests = countRequests();

    const error = narrow(await rejectionOf(client.connect(request as ConnectRequest)), isXeroConnectionUsageError);

    expect(error.code).toBe('INVALID_USAGE');
    expect(error.endpoint).toBe('POST /connect');
    expect(error.message).toContain('POST /connect: the request body is invalid');
    expect(error.message).toContain(named);
    expect(error.issues.length).toBeGreaterThan(0);
    expect(requests.count()).toBe(0);
  });

  it('names the path of the offending field in issues', async () => {
    const error = narrow(
      await rejectionOf(client.connect({ returnTo: 'https://portal.example/', mode: 'x' } as unknown as ConnectRequest)),
      isXeroConnectionUsageError,
    );

    expect(error.issues).toEqual([{ path: 'mode', message: 'expected "connect" | "reauth"' }]);
  });

  it.each([null, undefined, 'https://portal.example/', 42])('rejects a request that is not an object (%s) with a usage error', async (request) => {
    const requests = countRequests();

    const error = narrow(await rejectionOf(client.connect(request as unknown as ConnectRequest)), isXeroConnectionUsageError);

    expect(error.endpoint).toBe('POST /connect');
    expect(requests.count()).toBe(0);
  });

  it('rejects a relative returnTo outside the browser with a usage error naming returnTo', async () => {
    const requests = countRequests();

    const error = narrow(await rejectionOf(client.connect({ returnTo: '/settings', mode: 'connect' })), isXeroConnectionUsageError);

    expect(error.message).toBe(
      'POST /connect: returnTo "/settings" is relative and there is no page location to resolve it against; pass an absolute URL outside the browser',
    );
    expect(requests.count()).toBe(0);
  });
});

describe('completeCallback', () => {
  const callback = endpoint('completeCallback');

  it('posts the code and state', async () => {
    let received: unknown;
    server.use(
      answer(callback, async ({ request }) => {
        received = await request.json();
        return HttpResponse.json(callback.good());
      }),
    );

    await expect(client.completeCallback({ code: 'xero-code-1', state: 'state-123' })).resolves.toEqual(callback.good());
    expect(received).toEqual({ code: 'xero-code-1', state: 'state-123' });
  });

  it.each<[string, unknown, string]>([
    ['an empty code', { code: '', state: 'state-123' }, 'code: expected a non-empty string'],
    ['a missing state', { code: 'xero-code-1' }, 'state: expected string'],
    ['an extra field', { code: 'xero-code-1', state: 'state-123', error: 'access_denied' }, 'body: unknown field "error"'],
    ['a number instead of an object', 7, 'body: expected object'],
  ])('rejects %s with a usage error naming the field, and sends nothing', async (_case, request, named) => {
    let count = 0;
    server.use(
      answer(callback, () => {
        count += 1;
        return HttpResponse.json(callback.good());
      }),
    );

    const error = narrow(
      await rejectionOf(client.completeCallback(request as { code: string; state: string })),
      isXeroConnectionUsageError,
    );

    expect(error.endpoint).toBe('POST /callback');
    expect(error.message).toBe(`POST /callback: the request body is invalid: ${named}`);
    expect(count).toBe(0);
  });
});

describe('disconnect', () => {
  const disconnect = endpoint('disconnect');

  it('resolves remoteRemoved: false when Xero could not be told', async () => {
    server.use(answer(disconnect, () => HttpResponse.json({ status: 'disconnected', remoteRemoved: false })));

    await expect(client.disconnect()).resolves.toEqual({ status: 'disconnected', remoteRemoved: false });
  });

  it('rejects a status other than disconnected, naming status', async () => {
    server.use(answer(disconnect, () => HttpResponse.json({ status: 'connected', remoteRemoved: true })));

    const error = narrow(await rejectionOf(client.disconnect()), isXeroConnectionContractError);

    expect(error.issues).toEqual([{ path: 'status', message: 'expected "disconnected"' }]);
    expect(error.message).toContain('DELETE /connection answered 200');
  });

  it('rejects an answer without remoteRemoved', async () => {
    server.use(answer(disconnect, () => HttpResponse.json({ status: 'disconnected' })));

    const error = narrow(await rejectionOf(client.disconnect()), isXeroConnectionContractError);

    expect(error.issues).toEqual([{ path: 'remoteRemoved', message: 'expected boolean' }]);
  });
});
