import { cleanup, render, renderHook, screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, test } from 'vitest';

import { XeroConnectionCard } from '../../src/components/xero-connection-card';
import { useXeroConnection } from '../../src/react';
import { createFakeXeroBackend } from '../../src/testing/fake-backend';
import { buildConnection } from '../../src/testing/fixtures';
import { BASE_URL, addHandlers, providerWrapper, setUpWorker } from '../react/support';

// The card's relative dates and countdowns follow the backend's clock (its answers' `Date`), not
// the browser's: an emulator moved 62 days ahead, or a laptop whose clock is off, must not read
// "Last used … (in 2 months)".

setUpWorker();
afterEach(() => cleanup());

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const AHEAD_MS = 62 * DAY_MS;

/** A fake backend whose clock runs `aheadMs` ahead of the browser's, holding `connection`. */
function backendAhead(aheadMs: number, connection: (backendNow: Date) => ReturnType<typeof buildConnection>) {
  const now = () => new Date(Date.now() + aheadMs);
  const backend = createFakeXeroBackend({ baseUrl: BASE_URL, initial: connection(now()), now });
  addHandlers(...backend.handlers);
  return backend;
}

function renderCard() {
  const { Wrapper } = providerWrapper();
  render(<XeroConnectionCard title="Xero Billing" />, { wrapper: Wrapper });
  return () => screen.getByRole('region', { name: 'Xero Billing' });
}

function lastUsedRow(card: HTMLElement): string {
  return card.querySelector('[data-detail="last-used"] dd')?.textContent ?? '';
}

describe('relative dates on the backend’s clock', () => {
  test('a backend two months ahead: used just now reads "(this minute)", never "(in 2 months)"', async () => {
    backendAhead(AHEAD_MS, (backendNow) => buildConnection('connected', { lastUsedAt: backendNow.toISOString() }, backendNow));
    const card = renderCard();
    await screen.findByText('Connected to Sunrise Care Group');
    expect(lastUsedRow(card())).toMatch(/\(this minute\)$/);
    expect(card().textContent).not.toMatch(/in \d+ months?/);
  });

  // The `Date` header has whole seconds: dates sit an hour off a day's edge, as real ones do.
  test('a backend two months ahead: two days ago is "2 days ago"', async () => {
    backendAhead(AHEAD_MS, (backendNow) =>
      buildConnection('connected', { lastUsedAt: new Date(backendNow.getTime() - 2 * DAY_MS - HOUR_MS).toISOString() }, backendNow),
    );
    const card = renderCard();
    await screen.findByText('Connected to Sunrise Care Group');
    expect(lastUsedRow(card())).toMatch(/\(2 days ago\)$/);
  });

  test('the expiry countdown is measured from the backend’s now', async () => {
    // 5 days left on the backend's clock; 67 on the browser's, which would show no warning at all.
    backendAhead(AHEAD_MS, (backendNow) =>
      buildConnection('expiring', { refreshTokenExpiresAt: new Date(backendNow.getTime() + 5 * DAY_MS - HOUR_MS).toISOString() }, backendNow),
    );
    const card = renderCard();
    expect(await within(card()).findByText('Expires in 5 days unless used')).toBeVisible();
    expect(card()).toHaveAttribute('data-state', 'expiring');
  });

  test('a backend behind the browser: a token expiring on its clock tomorrow is not "expired today"', async () => {
    backendAhead(-30 * DAY_MS, (backendNow) =>
      buildConnection('expiring', { refreshTokenExpiresAt: new Date(backendNow.getTime() + 1.5 * DAY_MS).toISOString() }, backendNow),
    );
    const card = renderCard();
    expect(await within(card()).findByText('Expires in 2 days unless used')).toBeVisible();
  });

  test('the hook’s updatedAt is on the backend’s clock, and keeps the offset across reads', async () => {
    backendAhead(AHEAD_MS, (backendNow) => buildConnection('connected', {}, backendNow));
    const { Wrapper } = providerWrapper();
    const { result } = renderHook(() => useXeroConnection(), { wrapper: Wrapper });
    await waitFor(() => expect(result.current.state.status).toBe('connected'));
    const first = result.current.updatedAt;
    expect(Math.abs(first - (Date.now() + AHEAD_MS))).toBeLessThan(5_000);
    await result.current.verify();
    await waitFor(() => expect(result.current.updatedAt).toBeGreaterThanOrEqual(first));
    expect(Math.abs(result.current.updatedAt - (Date.now() + AHEAD_MS))).toBeLessThan(5_000);
  });

  test('without a Date header (a cross-origin backend that does not expose it) the browser’s clock is used', async () => {
    const connection = buildConnection('connected', {}, new Date());
    addHandlers(http.get(`${BASE_URL}/connection`, () => HttpResponse.json(connection)));
    const card = renderCard();
    await screen.findByText('Connected to Sunrise Care Group');
    expect(lastUsedRow(card())).toMatch(/\(2 days ago\)$/);
  });
});
