import { describe, expect, it } from 'vitest';

import {
  createXeroConnectionClient,
  isXeroConnectionUsageError,
  type XeroConnectionClientOptions,
} from '../../src/client';
import { BASE_URL, endpoint, narrow, recordingFetch, rejectionOf, setupMswServer } from './support';

setupMswServer();

function creationError(options: unknown) {
  let thrown: unknown;
  try {
    createXeroConnectionClient(options as XeroConnectionClientOptions);
  } catch (error) {
    thrown = error;
  }
  return narrow(thrown, isXeroConnectionUsageError);
}

describe('invalid options throw a usage error at creation', () => {
  it.each<[string, unknown, string]>([
    ['no options', undefined, 'expected an options object with a baseUrl (got undefined)'],
    ['an empty baseUrl', { baseUrl: '' }, 'baseUrl must be a non-empty string such as "/api/integrations/xero-billing" (got an empty string)'],
    ['a blank baseUrl', { baseUrl: '   ' }, 'baseUrl must be a non-empty string'],
    ['a baseUrl that is not a string', { baseUrl: 42 }, 'baseUrl must be a non-empty string such as "/api/integrations/xero-billing" (got number)'],
    ['a javascript: baseUrl', { baseUrl: 'javascript:x' }, 'baseUrl must be http(s) or a path (got "javascript:x")'],
    ['a file: baseUrl', { baseUrl: 'file:///etc' }, 'baseUrl must be http(s) or a path'],
    ['a query in baseUrl', { baseUrl: '/api/xero?tenant=1' }, 'baseUrl must not contain a query or fragment (got "/api/xero?tenant=1")'],
    ['a fragment in baseUrl', { baseUrl: `${BASE_URL}#x` }, 'baseUrl must not contain a query or fragment'],
    ['a negative timeoutMs', { baseUrl: BASE_URL, timeoutMs: -1 }, 'timeoutMs must be a positive number of milliseconds up to 2147483647 (got -1)'],
    ['a zero timeoutMs', { baseUrl: BASE_URL, timeoutMs: 0 }, 'timeoutMs must be a positive number of milliseconds up to 2147483647 (got 0)'],
    ['a NaN timeoutMs', { baseUrl: BASE_URL, timeoutMs: Number.NaN }, 'timeoutMs must be a positive number of milliseconds up to 2147483647 (got NaN)'],
    ['an infinite timeoutMs', { baseUrl: BASE_URL, timeoutMs: Number.POSITIVE_INFINITY }, 'timeoutMs must be a positive number'],
    ['a timeoutMs past what timers can hold', { baseUrl: BASE_URL, timeoutMs: 2 ** 31 }, 'timeoutMs must be a positive number of milliseconds up to 2147483647 (got 2147483648)'],
    ['a NaN retry.maxDelayMs', { baseUrl: BASE_URL, retry: { maxDelayMs: Number.NaN } }, 'retry.maxDelayMs must be a number of milliseconds'],
    ['a negative retry.baseDelayMs', { baseUrl: BASE_URL, retry: { baseDelayMs: -5 } }, 'retry.baseDelayMs must be a number of milliseconds'],
    ['fractional retries', { baseUrl: BASE_URL, retry: { retries: 1.5 } }, 'retry.retries must be a whole number ≥ 0 (got 1.5)'],
    ['negative retries', { baseUrl: BASE_URL, retry: { retries: -1 } }, 'retry.retries must be a whole number ≥ 0 (got -1)'],
    ['a fetch that is not a function', { baseUrl: BASE_URL, fetch: 'fetch' }, 'fetch must be a function (got a string)'],
  ])('%s', (_case, options, message) => {
    const error = creationError(options);

    expect(error.code).toBe('INVALID_USAGE');
    expect(error.endpoint).toBeNull();
    expect(error.message).toContain(`createXeroConnectionClient: ${message}`);
  });
});

describe('baseUrl', () => {
  it('keeps the base URL as given', () => {
    expect(createXeroConnectionClient({ baseUrl: '/api/integrations/xero-billing/' }).baseUrl).toBe('/api/integrations/xero-billing/');
  });

  it.each([`${BASE_URL}/`, `${BASE_URL}//`])('ignores trailing slashes in %s', async (baseUrl) => {
    const client = createXeroConnectionClient({ baseUrl });

    await expect(client.getConnection()).resolves.toEqual(endpoint('getConnection').good());
  });

  it('does not resolve a relative baseUrl when the client is created, so creating one during a server render is safe', () => {
    expect(() => createXeroConnectionClient({ baseUrl: '/api/integrations/xero-billing' })).not.toThrow();
  });

  it('rejects a call with a relative baseUrl outside the browser, naming the problem, and sends nothing', async () => {
    const recorder = recordingFetch();
    const client = createXeroConnectionClient({ baseUrl: '/api/integrations/xero-billing', fetch: recorder.fetch });

    const error = narrow(await rejectionOf(client.getConnection()), isXeroConnectionUsageError);

    expect(error.endpoint).toBe('GET /connection');
    expect(error.message).toBe(
      'GET /connection: baseUrl "/api/integrations/xero-billing/connection" is relative and there is no page location to resolve it against; pass an absolute URL outside the browser',
    );
    expect(recorder.requests).toHaveLength(0);
  });

  it('accepts an http base URL on a local backend', async () => {
    const recorder = recordingFetch();
    const client = createXeroConnectionClient({ baseUrl: 'http://localhost:8080/xero', fetch: recorder.fetch });

    await client.getConnection();

    expect(recorder.requests[0]?.url).toBe('http://localhost:8080/xero/connection');
  });
});
