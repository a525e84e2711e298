import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { createXeroConnectionClient, type XeroConnectionClient } from '../../src/client';
import { backendClockOffset, offsetFromDateHeader } from '../../src/client/backend-clock';
import { buildConnection, buildProblem } from '../../src/testing/fixtures';
import { BASE_URL } from './support';

// The client learns its backend's clock from every answer's `Date` header, so the React layer can
// measure the connection's dates from the clock that wrote them.

const DAY_MS = 86_400_000;

// Each test its own backend: the clock is kept per base URL, for every client of it.
let backends = 0;
function answering(respond: () => Response, baseUrl = `${BASE_URL}-${(backends += 1)}`): XeroConnectionClient {
  return createXeroConnectionClient({ baseUrl, retry: false, fetch: async () => respond() });
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('offsetFromDateHeader', () => {
  it('is 0 when the header agrees with the browser within its one-second resolution and the trip', () => {
    const sentAt = Date.parse('2026-12-07T09:00:00.200Z');
    expect(offsetFromDateHeader('Mon, 07 Dec 2026 09:00:00 GMT', sentAt, sentAt + 300)).toBe(0);
  });

  it('is the skew, within a second, when the backend is months ahead or behind', () => {
    const sentAt = Date.parse('2026-12-07T09:00:00.000Z');
    const ahead = offsetFromDateHeader(new Date(sentAt + 61 * DAY_MS).toUTCString(), sentAt, sentAt + 100);
    expect(Math.abs((ahead ?? 0) - 61 * DAY_MS)).toBeLessThanOrEqual(1_000);
    const behind = offsetFromDateHeader(new Date(sentAt - 3 * DAY_MS).toUTCString(), sentAt, sentAt + 100);
    expect(Math.abs((behind ?? 0) + 3 * DAY_MS)).toBeLessThanOrEqual(1_000);
  });

  it('is null for a missing or unreadable header, and never throws', () => {
    expect(offsetFromDateHeader(null, 0, 1)).toBeNull();
    expect(offsetFromDateHeader('yesterday-ish', 0, 1)).toBeNull();
    fc.assert(
      fc.property(fc.string(), fc.integer(), fc.nat(), (header, sentAt, trip) => {
        const offset = offsetFromDateHeader(header, sentAt, sentAt + trip);
        expect(offset === null || Number.isFinite(offset)).toBe(true);
      }),
    );
  });
});

describe('the client’s backend clock', () => {
  it('starts at the browser’s clock and learns the offset from an answer', async () => {
    const client = answering(() => json(buildConnection('connected'), 200, { date: new Date(Date.now() + 61 * DAY_MS).toUTCString() }));
    expect(backendClockOffset(client)).toBe(0);
    await client.getConnection();
    expect(Math.abs(backendClockOffset(client) - 61 * DAY_MS)).toBeLessThan(2_000);
  });

  it('learns it from an error answer too: the backend wrote it all the same', async () => {
    const client = answering(() =>
      json(buildProblem('XERO_UNAVAILABLE'), 503, { 'content-type': 'application/problem+json', date: new Date(Date.now() - 2 * DAY_MS).toUTCString() }),
    );
    await client.getConnection().catch(() => null);
    expect(Math.abs(backendClockOffset(client) + 2 * DAY_MS)).toBeLessThan(2_000);
  });

  it('keeps what it knew when an answer hides its Date (cross-origin without Access-Control-Expose-Headers)', async () => {
    let date: string | null = new Date(Date.now() + DAY_MS).toUTCString();
    const client = answering(() => json(buildConnection('connected'), 200, date === null ? {} : { date }));
    await client.getConnection();
    date = null;
    await client.getConnection();
    expect(Math.abs(backendClockOffset(client) - DAY_MS)).toBeLessThan(2_000);
  });

  it('is the browser’s clock for a backend no client has read yet', () => {
    expect(backendClockOffset({ baseUrl: 'https://portal.example/never-read' })).toBe(0);
  });

  it('is shared by every client of one base URL: a card and a notice on one page measure from one clock', async () => {
    const baseUrl = `${BASE_URL}-shared`;
    const ahead = { date: new Date(Date.now() + 61 * DAY_MS).toUTCString() };
    const reader = answering(() => json(buildConnection('connected'), 200, ahead), baseUrl);
    const other = answering(() => json(buildConnection('connected'), 200, ahead), baseUrl);
    await reader.getConnection();
    // `other` never read an answer, yet shows what its backend's clock says.
    expect(Math.abs(backendClockOffset(other) - 61 * DAY_MS)).toBeLessThan(2_000);
  });
});
