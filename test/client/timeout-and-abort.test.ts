import { HttpResponse, delay } from 'msw';
import { describe, expect, it } from 'vitest';

import {
  createXeroConnectionClient,
  isXeroConnectionError,
  isXeroConnectionTimeoutError,
} from '../../src/client';
import { buildConnection, buildProblem } from '../../src/testing/fixtures';
import { BASE_URL, answer, endpoint, endpoints, narrow, problemAnswer, rejectionOf, setupMswServer } from './support';

const server = setupMswServer();
const getConnection = endpoint('getConnection');

/** A JSON answer whose headers arrive and whose body then stops halfway, never closing. */
function stalledBody(): Response {
  const half = JSON.stringify(buildConnection('connected')).slice(0, 40);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(half));
    },
  });
  return new HttpResponse(stream, { headers: { 'Content-Type': 'application/json' } });
}

/** Counts requests to an endpoint that never answers. */
function neverAnswer(target = getConnection) {
  let count = 0;
  server.use(
    answer(target, async () => {
      count += 1;
      await delay('infinite');
      return HttpResponse.json(target.good());
    }),
  );
  return { requests: () => count };
}

describe('timeouts', () => {
  it.each(endpoints)('$label that never answers rejects with a timeout error after timeoutMs', async (target) => {
    neverAnswer(target);
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, timeoutMs: 50, retry: false });

    const error = narrow(await rejectionOf(target.call(client)), isXeroConnectionTimeoutError);

    expect(error.code).toBe('TIMEOUT');
    expect(error.endpoint).toBe(target.label);
    expect(error.timeoutMs).toBe(50);
    expect(error.retryable).toBe(true);
    expect(error.message).toBe(`${target.label} got no complete answer within 50 ms`);
  });

  it('a body that stalls after the headers times out too', async () => {
    server.use(answer(getConnection, () => stalledBody()));
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, timeoutMs: 50, retry: false });

    const error = narrow(await rejectionOf(client.getConnection()), isXeroConnectionTimeoutError);

    expect(error.message).toBe('GET /connection got no complete answer within 50 ms');
  });

  it('a custom fetch that ignores the signal still times out', async () => {
    const client = createXeroConnectionClient({
      baseUrl: BASE_URL,
      timeoutMs: 50,
      retry: false,
      fetch: () => new Promise<Response>(() => undefined),
    });

    narrow(await rejectionOf(client.getConnection()), isXeroConnectionTimeoutError);
  });

  it('a GET that keeps timing out is tried retries + 1 times', async () => {
    const never = neverAnswer();
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, timeoutMs: 30, retry: { retries: 1, baseDelayMs: 1 } });

    narrow(await rejectionOf(client.getConnection()), isXeroConnectionTimeoutError);
    expect(never.requests()).toBe(2);
  });
});

describe('aborts stay aborts', () => {
  it('a signal aborted before the call rejects with its AbortError and sends nothing', async () => {
    const never = neverAnswer();
    const client = createXeroConnectionClient({ baseUrl: BASE_URL });

    const error = await rejectionOf(client.getConnection({ signal: AbortSignal.abort() }));

    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('AbortError');
    expect(isXeroConnectionError(error)).toBe(false);
    expect(never.requests()).toBe(0);
  });

  it.each(endpoints)('$label aborted while waiting for the answer rejects with the signal’s own reason', async (target) => {
    const controller = new AbortController();
    const reason = new Error('the user left the page');
    server.use(
      answer(target, async () => {
        controller.abort(reason);
        await delay('infinite');
        return HttpResponse.json(target.good());
      }),
    );
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: false });

    await expect(target.call(client, { signal: controller.signal })).rejects.toBe(reason);
  });

  it('an abort while the body is being read rejects with the signal’s reason', async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled mid-body');
    server.use(
      answer(getConnection, () => {
        setTimeout(() => controller.abort(reason), 20);
        return stalledBody();
      }),
    );
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: false });

    await expect(client.getConnection({ signal: controller.signal })).rejects.toBe(reason);
  });

  it('an AbortSignal.timeout() from the caller rejects with its TimeoutError, not the client’s timeout error', async () => {
    neverAnswer();
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, timeoutMs: 10_000 });

    const error = await rejectionOf(client.getConnection({ signal: AbortSignal.timeout(30) }));

    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('TimeoutError');
    expect(isXeroConnectionError(error)).toBe(false);
  });

  it('an abort during the wait before a retry stops at once, without another request', async () => {
    const controller = new AbortController();
    const reason = new Error('stop retrying');
    let count = 0;
    server.use(
      answer(getConnection, () => {
        count += 1;
        setTimeout(() => controller.abort(reason), 20);
        // The client would wait 30 s before retrying; the abort must cut that short.
        return problemAnswer(buildProblem('XERO_RATE_LIMITED'), { 'Retry-After': '30' });
      }),
    );
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: { maxDelayMs: 60_000 } });

    await expect(client.getConnection({ signal: controller.signal })).rejects.toBe(reason);
    expect(count).toBe(1);
  });

  it('an abort while an async headers function is pending rejects with the reason and sends nothing', async () => {
    const never = neverAnswer();
    const controller = new AbortController();
    const reason = new Error('navigated away while the token refreshed');
    const client = createXeroConnectionClient({
      baseUrl: BASE_URL,
      timeoutMs: 1_000,
      headers: async () => {
        controller.abort(reason);
        return { Authorization: 'Bearer fresh' };
      },
    });

    await expect(client.getConnection({ signal: controller.signal })).rejects.toBe(reason);
    expect(never.requests()).toBe(0);
  });

  it('an abort after the answer arrived changes nothing', async () => {
    const controller = new AbortController();
    const client = createXeroConnectionClient({ baseUrl: BASE_URL });

    const connection = await client.getConnection({ signal: controller.signal });
    controller.abort();

    expect(connection).toEqual(getConnection.good());
  });
});
