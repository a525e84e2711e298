import { HttpResponse, delay } from 'msw';
import { describe, expect, it } from 'vitest';

import {
  createXeroConnectionClient,
  isXeroConnectionApiError,
  isXeroConnectionContractError,
  isXeroConnectionNetworkError,
  isXeroConnectionTimeoutError,
} from '../../src/client';
import { buildConnection, buildProblem } from '../../src/testing/fixtures';
import { BAD_GATEWAY_PAGE, BASE_URL, answer, endpoint, endpoints, narrow, problemAnswer, rejectionOf, setupMswServer } from './support';

const server = setupMswServer();
const getConnection = endpoint('getConnection');
const connected = buildConnection('connected');

/** Answers each request with the next answer in the list (the last one repeats) and counts them. */
function answerInTurn(target: typeof getConnection, answers: Array<() => Response | Promise<Response>>) {
  let count = 0;
  server.use(
    answer(target, () => {
      const respond = answers[Math.min(count, answers.length - 1)];
      count += 1;
      if (!respond) throw new Error('no answers given');
      return respond();
    }),
  );
  return { requests: () => count };
}

const fastRetry = { baseDelayMs: 1 };

describe('reads (GET) are retried with backoff', () => {
  it('retries a 503 problem and resolves with the later answer', async () => {
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: fastRetry });
    const turn = answerInTurn(getConnection, [() => problemAnswer(buildProblem('XERO_UNAVAILABLE')), () => HttpResponse.json(connected)]);

    await expect(client.getConnection()).resolves.toEqual(connected);
    expect(turn.requests()).toBe(2);
  });

  it('retries a 500 and a bare 502 page, resolving on the third attempt', async () => {
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: fastRetry });
    const turn = answerInTurn(getConnection, [
      () => problemAnswer(buildProblem('INTERNAL')),
      () => HttpResponse.html(BAD_GATEWAY_PAGE, { status: 502 }),
      () => HttpResponse.json(connected),
    ]);

    await expect(client.getConnection()).resolves.toEqual(connected);
    expect(turn.requests()).toBe(3);
  });

  it('retries a network error', async () => {
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: fastRetry });
    const turn = answerInTurn(getConnection, [() => HttpResponse.error(), () => HttpResponse.json(connected)]);

    await expect(client.getConnection()).resolves.toEqual(connected);
    expect(turn.requests()).toBe(2);
  });

  it('retries an attempt that timed out', async () => {
    // Generous enough that the second, immediate answer never times out on a busy machine.
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: fastRetry, timeoutMs: 300 });
    const turn = answerInTurn(getConnection, [
      async () => {
        await delay('infinite');
        return HttpResponse.json(connected);
      },
      () => HttpResponse.json(connected),
    ]);

    await expect(client.getConnection()).resolves.toEqual(connected);
    expect(turn.requests()).toBe(2);
  });

  it('gives up after retries + 1 attempts with the last error', async () => {
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: { retries: 3, baseDelayMs: 1 } });
    const turn = answerInTurn(getConnection, [() => problemAnswer(buildProblem('XERO_UNAVAILABLE'))]);

    const error = narrow(await rejectionOf(client.getConnection()), isXeroConnectionApiError);

    expect(error.code).toBe('XERO_UNAVAILABLE');
    expect(turn.requests()).toBe(4);
  });

  it('retries twice by default (three attempts in all)', async () => {
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: { baseDelayMs: 1 } });
    const turn = answerInTurn(getConnection, [() => HttpResponse.error()]);

    narrow(await rejectionOf(client.getConnection()), isXeroConnectionNetworkError);
    expect(turn.requests()).toBe(3);
  });

  it('calls the headers function again for each attempt', async () => {
    let calls = 0;
    const client = createXeroConnectionClient({
      baseUrl: BASE_URL,
      retry: fastRetry,
      headers: () => ({ Authorization: `Bearer token-${++calls}` }),
    });
    const seen: Array<string | null> = [];
    let count = 0;
    server.use(
      answer(getConnection, ({ request }) => {
        seen.push(request.headers.get('authorization'));
        count += 1;
        return count === 1 ? problemAnswer(buildProblem('XERO_UNAVAILABLE')) : HttpResponse.json(connected);
      }),
    );

    await client.getConnection();

    expect(seen).toEqual(['Bearer token-1', 'Bearer token-2']);
  });
});

describe('Retry-After', () => {
  it('a 429 with Retry-After: 0 is retried at once, even when the backoff would be a minute', async () => {
    // With this backoff a retry that ignored Retry-After would outlast the test's 5 s timeout.
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 } });
    const turn = answerInTurn(getConnection, [
      () => problemAnswer(buildProblem('XERO_RATE_LIMITED'), { 'Retry-After': '0' }),
      () => HttpResponse.json(connected),
    ]);

    await expect(client.getConnection()).resolves.toEqual(connected);
    expect(turn.requests()).toBe(2);
  });

  it('a 503 whose problem says retryAfterSeconds: 0 is retried at once', async () => {
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 } });
    const turn = answerInTurn(getConnection, [
      () => problemAnswer(buildProblem('XERO_UNAVAILABLE', { retryAfterSeconds: 0 })),
      () => HttpResponse.json(connected),
    ]);

    await expect(client.getConnection()).resolves.toEqual(connected);
    expect(turn.requests()).toBe(2);
  });

  it('a 429 with Retry-After longer than the bound is returned at once with retryAfterSeconds', async () => {
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: { baseDelayMs: 1, maxDelayMs: 8_000 } });
    const turn = answerInTurn(getConnection, [() => problemAnswer(buildProblem('XERO_RATE_LIMITED'), { 'Retry-After': '9' })]);

    const error = narrow(await rejectionOf(client.getConnection()), isXeroConnectionApiError);

    expect(error.code).toBe('XERO_RATE_LIMITED');
    expect(error.status).toBe(429);
    expect(error.retryable).toBe(true);
    expect(error.retryAfterSeconds).toBe(9);
    expect(turn.requests()).toBe(1);
  });

  it('a bare 503 with an HTTP-date Retry-After an hour away is returned at once with the seconds to wait', async () => {
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: fastRetry });
    const inAnHour = new Date(Date.now() + 3_600_000).toUTCString();
    const turn = answerInTurn(getConnection, [() => new HttpResponse('Service Unavailable', { status: 503, headers: { 'Retry-After': inAnHour } })]);

    const error = narrow(await rejectionOf(client.getConnection()), isXeroConnectionApiError);

    expect(error.code).toBe('INTERNAL');
    expect(error.retryAfterSeconds).toBeGreaterThan(3_500);
    expect(error.retryAfterSeconds).toBeLessThanOrEqual(3_600);
    expect(turn.requests()).toBe(1);
  });

  it('a Retry-After: 1 is waited for before the retry', async () => {
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: { baseDelayMs: 1 } });
    const times: number[] = [];
    let count = 0;
    server.use(
      answer(getConnection, () => {
        times.push(performance.now());
        count += 1;
        return count === 1
          ? problemAnswer(buildProblem('XERO_RATE_LIMITED'), { 'Retry-After': '1' })
          : HttpResponse.json(connected);
      }),
    );

    await client.getConnection();

    expect(times).toHaveLength(2);
    // A lower bound only: timers never fire early (allow 5 ms for clock granularity).
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(995);
  });
});

describe('what is never retried', () => {
  it('retry: false sends a failing read once', async () => {
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: false });
    const turn = answerInTurn(getConnection, [() => problemAnswer(buildProblem('XERO_UNAVAILABLE'))]);

    narrow(await rejectionOf(client.getConnection()), isXeroConnectionApiError);
    expect(turn.requests()).toBe(1);
  });

  it('retry: { retries: 0 } sends a failing read once', async () => {
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: { retries: 0 } });
    const turn = answerInTurn(getConnection, [() => HttpResponse.error()]);

    narrow(await rejectionOf(client.getConnection()), isXeroConnectionNetworkError);
    expect(turn.requests()).toBe(1);
  });

  const writes = endpoints.filter((target) => target.verb !== 'get');

  it.each(writes)('$label is sent once even on a retryable 503', async (target) => {
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: fastRetry });
    const turn = answerInTurn(target, [() => problemAnswer(buildProblem('XERO_UNAVAILABLE', { retryAfterSeconds: 0 })), () => HttpResponse.json(target.good())]);

    const error = narrow(await rejectionOf(target.call(client)), isXeroConnectionApiError);

    expect(error.retryable).toBe(true);
    expect(turn.requests()).toBe(1);
  });

  it.each(writes)('$label is sent once on a network error', async (target) => {
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: fastRetry });
    const turn = answerInTurn(target, [() => HttpResponse.error(), () => HttpResponse.json(target.good())]);

    narrow(await rejectionOf(target.call(client)), isXeroConnectionNetworkError);
    expect(turn.requests()).toBe(1);
  });

  it.each(writes)('$label is sent once when it times out', async (target) => {
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: fastRetry, timeoutMs: 50 });
    const turn = answerInTurn(target, [
      async () => {
        await delay('infinite');
        return HttpResponse.json(target.good());
      },
    ]);

    narrow(await rejectionOf(target.call(client)), isXeroConnectionTimeoutError);
    expect(turn.requests()).toBe(1);
  });

  it.each([
    ['a 400 problem', () => problemAnswer(buildProblem('VALIDATION_FAILED'))],
    ['a 401 without a body', () => new HttpResponse(null, { status: 401 })],
    ['a non-retryable problem on a retryable status', () => problemAnswer(buildProblem('XERO_INVALID_CLIENT'))],
  ])('a read that fails with %s is not retried', async (_case, respond) => {
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: fastRetry });
    const turn = answerInTurn(getConnection, [respond, () => HttpResponse.json(connected)]);

    const error = narrow(await rejectionOf(client.getConnection()), isXeroConnectionApiError);

    expect(error.retryable).toBe(false);
    expect(turn.requests()).toBe(1);
  });

  it('a read that breaks the contract is not retried', async () => {
    const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: fastRetry });
    const turn = answerInTurn(getConnection, [() => HttpResponse.json({ status: 'paused' }), () => HttpResponse.json(connected)]);

    narrow(await rejectionOf(client.getConnection()), isXeroConnectionContractError);
    expect(turn.requests()).toBe(1);
  });
});
