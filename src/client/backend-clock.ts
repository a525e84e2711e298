// The backend's clock, as far as its answers' `Date` headers tell. Dates in the contract
// (`lastUsedAt`, `refreshTokenExpiresAt`, …) are written on the backend's clock; measuring them
// from the browser's is wrong by however far a laptop's clock (or a test emulator's) has drifted,
// which reads as "Last used … (in 2 months)". Kept as an offset from the browser's clock, so "now"
// keeps moving on the page between answers.
//
// `Date` is not a CORS-safelisted response header: a backend on another origin must list it in
// `Access-Control-Expose-Headers`, or the browser hides it and the browser's clock is used.

/** What one client learned about its backend's clock. */
export interface BackendClock {
  /** Backend time minus browser time, in ms; 0 until an answer carried a readable `Date`. */
  offsetMs: number;
}

/**
 * The offset an answer shows, or `null` when its `Date` header is missing or unreadable.
 *
 * The header has whole seconds and was written somewhere between sending and receiving, so the
 * backend's time at the browser's `t` lies in `[date - receivedAt, date + 1 s - sentAt]` of
 * offset. When 0 is in that range the clocks agree as far as the header can tell (a backend on the
 * same clock never shows a jitter of a second); otherwise its middle, off by at most half a
 * second and half the round trip.
 */
export function offsetFromDateHeader(date: string | null, sentAt: number, receivedAt: number): number | null {
  if (date === null) return null;
  const dateMs = Date.parse(date);
  if (Number.isNaN(dateMs)) return null;
  const lowest = dateMs - receivedAt;
  const highest = dateMs + 1000 - sentAt;
  if (lowest <= 0 && highest >= 0) return 0;
  return Math.round((lowest + highest) / 2);
}

// One clock per base URL: several clients (two providers of one integration on a page, a card
// and a notice) talk to the same backend and share its connection query, so they must measure its
// dates from the same clock, whichever of them read the answer on screen. Keyed by URL, not by
// user: a backend's clock holds no one's data, so a module-wide map is safe in a server render.
const clocks = new Map<string, BackendClock>();

/** The clock of the backend at `baseUrl`, shared by every client of that base URL. */
export function backendClockFor(baseUrl: string): BackendClock {
  let clock = clocks.get(baseUrl);
  if (clock === undefined) {
    clock = { offsetMs: 0 };
    clocks.set(baseUrl, clock);
  }
  return clock;
}

/**
 * Backend time minus browser time for the backend of `client` (its `baseUrl`), in ms: 0 before
 * any client of that base URL read a `Date`, or when its backend hides it (cross-origin without
 * `Access-Control-Expose-Headers: Date`).
 */
export function backendClockOffset(client: { readonly baseUrl: string }): number {
  return clocks.get(client.baseUrl)?.offsetMs ?? 0;
}

/** Forgets every backend's clock: for tests, where one page plays several backends on one base URL. */
export function forgetBackendClocks(): void {
  clocks.clear();
}
