// What the bench page exposes on `window.__bench`, shared by the page (bench/page/main.tsx) and the
// runner (bench/browser.ts), so both sides of `page.evaluate` agree on one typed shape.

/** Where the bench server mounts the reference backend, as the demo mounts Xero Billing. */
export const BENCH_BASE_PATH = '/api/integrations/xero-billing';

/** The card's title, and so its accessible name. */
export const BENCH_CARD_TITLE = 'Xero Billing';

/**
 * How ten cards on one connection are arranged:
 * - `one-provider`: ten cards under one `<XeroConnectionProvider>`;
 * - `providers-shared-client`: ten providers with the same `baseUrl` under one `QueryClientProvider`;
 * - `providers-own-client`: ten providers with the same `baseUrl` and no `QueryClientProvider`, so
 *   each provider makes a QueryClient of its own.
 */
export type CardsLayout = 'one-provider' | 'providers-shared-client' | 'providers-own-client';

/** One timed mount. */
export interface MountTiming {
  /** From `root.render()` to the card's `data-state="connected"` in the DOM. */
  ms: number;
  /** The `GET /connection` inside it, from Resource Timing (start → responseEnd); null if none. */
  requestMs: number | null;
}

export interface BenchApi {
  /** Mounts one card with a fresh QueryClient, times it to "connected", unmounts it. */
  timeMount(): Promise<MountTiming>;
  /** Mounts one card under a React.Profiler that counts commits, and leaves it mounted. */
  mountProfiled(): void;
  /** Mounts Radix's AlertDialog alone under the same Profiler, as a baseline for the commit counts. */
  mountPlainRadixDialog(): void;
  /** Mounts `count` cards arranged as `layout`; resolves when all show "connected". */
  mountCards(count: number, layout: CardsLayout): Promise<void>;
  /** Mounts and unmounts provider + card `count` times under one app-wide QueryClient. */
  cycle(count: number): Promise<void>;
  /** Commits the Profiler saw since the last `resetCommits()`. */
  commits(): number;
  /** Milliseconds since the Profiler's last commit (Infinity if none yet). */
  msSinceLastCommit(): number;
  resetCommits(): void;
}

declare global {
  interface Window {
    __bench?: BenchApi;
  }
}
