import { describe, expect, it } from 'vitest';

import { DEFAULT_RETRY, parseRetryAfter, retryAfterOf, retryDelayMs } from '../../src/client/retry';

const options = { retries: 3, baseDelayMs: 500, maxDelayMs: 8_000 };
const lowest = () => 0;
const highest = () => 1;

describe('retryDelayMs', () => {
  it('waits between half and all of the base delay before the first retry', () => {
    expect(retryDelayMs(0, null, options, lowest)).toBe(250);
    expect(retryDelayMs(0, null, options, highest)).toBe(500);
  });

  it('doubles the step each attempt', () => {
    expect(retryDelayMs(1, null, options, lowest)).toBe(500);
    expect(retryDelayMs(1, null, options, highest)).toBe(1_000);
    expect(retryDelayMs(2, null, options, highest)).toBe(2_000);
  });

  it('never waits longer than maxDelayMs', () => {
    const many = { ...options, retries: 20 };

    expect(retryDelayMs(15, null, many, highest)).toBe(8_000);
    expect(retryDelayMs(15, null, many, lowest)).toBe(4_000);
  });

  it('gives up once the retries are spent', () => {
    expect(retryDelayMs(3, null, options, lowest)).toBeNull();
    expect(retryDelayMs(3, 0, options, lowest)).toBeNull();
    expect(retryDelayMs(0, null, { ...options, retries: 0 }, lowest)).toBeNull();
  });

  it('waits exactly Retry-After instead of the backoff', () => {
    expect(retryDelayMs(0, 3, options, highest)).toBe(3_000);
    expect(retryDelayMs(2, 0, options, highest)).toBe(0);
  });

  it('gives up at once when Retry-After is longer than maxDelayMs', () => {
    expect(retryDelayMs(0, 9, options, lowest)).toBeNull();
    expect(retryDelayMs(0, 8, options, lowest)).toBe(8_000);
  });

  it('defaults to three attempts in all, 0.5 s base and 8 s cap', () => {
    expect(DEFAULT_RETRY).toEqual({ retries: 2, baseDelayMs: 500, maxDelayMs: 8_000 });
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-26T09:30:00Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter(' 7 ', now)).toBe(7);
  });

  it('reads an HTTP date as the whole seconds until then, rounded up', () => {
    expect(parseRetryAfter('Thu, 26 Nov 2026 09:30:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('Thu, 26 Nov 2026 09:30:30 GMT', now + 500)).toBe(30);
    expect(parseRetryAfter('Thu, 26 Nov 2026 09:30:30 GMT', now + 1_500)).toBe(29);
  });

  it('reads the obsolete RFC 850 and asctime date forms', () => {
    expect(parseRetryAfter('Thursday, 26-Nov-26 09:31:00 GMT', now)).toBe(60);
    expect(parseRetryAfter('Thu Nov 26 09:31:00 2026', now)).not.toBeNull();
  });

  it('reads an HTTP date in the past as zero', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', now)).toBe(0);
  });

  it('returns null when the header is absent', () => {
    expect(parseRetryAfter(null, now)).toBeNull();
  });

  it.each(['', 'soon', '1.5', '-1', '1e3', 'abc 1', 'Thu 1'])(
    'returns null for %j, which is neither delta-seconds nor an HTTP date, so the backoff applies',
    (value) => {
      expect(parseRetryAfter(value, now)).toBeNull();
    },
  );
});

describe('retryAfterOf', () => {
  it('measures an HTTP-date from the response’s own Date, not the browser’s clock', () => {
    const backendNow = new Date(Date.now() + 61 * 86_400_000);
    const response = new Response(null, {
      status: 429,
      headers: { date: backendNow.toUTCString(), 'retry-after': new Date(backendNow.getTime() + 120_000).toUTCString() },
    });
    expect(retryAfterOf(response)).toBe(120);
  });

  it('falls back to the browser’s clock without a Date, and reads seconds as they are', () => {
    expect(retryAfterOf(new Response(null, { headers: { 'retry-after': '30' } }))).toBe(30);
    const soon = new Date(Date.now() + 60_000).toUTCString();
    const seconds = retryAfterOf(new Response(null, { headers: { 'retry-after': soon } }));
    expect(seconds).toBeGreaterThanOrEqual(58);
    expect(seconds).toBeLessThanOrEqual(60);
  });
});
