// The bench page. It imports the BUILT package (dist/), so it measures what ships, and it mounts
// nothing by itself: bench/browser.ts drives it through `window.__bench`. Built twice by
// bench/server.ts: with React's production build for timing and heap, and with react-dom's
// profiling build (the only production build in which React.Profiler's onRender fires) for commits.
import * as AlertDialog from '@radix-ui/react-alert-dialog';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { Profiler, useState, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';

import { XeroConnectionCard, XeroConnectionProvider } from '../../dist/index.js';
import { BENCH_BASE_PATH, BENCH_CARD_TITLE, type BenchApi, type CardsLayout } from './bench-api';

const CARD_SELECTOR = '[data-slot="xero-connection-card"]';
const STATE_TIMEOUT_MS = 10_000;

/**
 * Resolves with `performance.now()` at the moment `count` cards in `container` say "connected".
 * A MutationObserver callback runs right after React's DOM mutation, before paint, so this is when
 * the status reached the DOM; rejects on an `error` state so a broken backend fails the bench.
 */
function whenConnected(container: HTMLElement, count: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const cards = [...container.querySelectorAll<HTMLElement>(CARD_SELECTOR)];
      const failed = cards.find((card) => card.dataset.state === 'error');
      if (failed) {
        finish();
        reject(new Error(`a card shows an error: ${failed.textContent ?? ''}`));
        return true;
      }
      if (cards.length === count && cards.every((card) => card.dataset.state === 'connected')) {
        const at = performance.now();
        finish();
        resolve(at);
        return true;
      }
      return false;
    };
    const observer = new MutationObserver(() => void check());
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`${count} card(s) did not show "connected" within ${STATE_TIMEOUT_MS} ms`));
    }, STATE_TIMEOUT_MS);
    function finish(): void {
      observer.disconnect();
      clearTimeout(timer);
    }
    if (!check()) observer.observe(container, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
  });
}

/** One macrotask, so passive effects and react-query's subscriptions have run before moving on. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function newContainer(): HTMLElement {
  const container = document.createElement('div');
  document.body.append(container);
  return container;
}

const card = (key?: number) => <XeroConnectionCard key={key} title={BENCH_CARD_TITLE} />;

function cards(count: number, layout: CardsLayout): ReactNode {
  const keys = Array.from({ length: count }, (_, index) => index);
  switch (layout) {
    case 'one-provider':
      return <XeroConnectionProvider baseUrl={BENCH_BASE_PATH}>{keys.map(card)}</XeroConnectionProvider>;
    case 'providers-shared-client':
      return (
        <QueryClientProvider client={new QueryClient()}>
          {keys.map((key) => (
            <XeroConnectionProvider key={key} baseUrl={BENCH_BASE_PATH}>
              {card()}
            </XeroConnectionProvider>
          ))}
        </QueryClientProvider>
      );
    case 'providers-own-client':
      return keys.map((key) => (
        <XeroConnectionProvider key={key} baseUrl={BENCH_BASE_PATH}>
          {card()}
        </XeroConnectionProvider>
      ));
  }
}

/**
 * The same open → cancel on Radix's AlertDialog alone (controlled, as the card holds `open`), so
 * the card's commit counts can be read against what Radix itself costs.
 */
function PlainRadixDialog(): ReactNode {
  const [open, setOpen] = useState(false);
  return (
    <AlertDialog.Root open={open} onOpenChange={setOpen}>
      <AlertDialog.Trigger>Open plain Radix dialog</AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay />
        <AlertDialog.Content>
          <AlertDialog.Title>Disconnect?</AlertDialog.Title>
          <AlertDialog.Description>Radix alone, for comparison.</AlertDialog.Description>
          <AlertDialog.Cancel>No, keep it</AlertDialog.Cancel>
          <AlertDialog.Action>Yes, disconnect</AlertDialog.Action>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}

let commits: number[] = [];
const onRender = () => {
  commits.push(performance.now());
};

// The mount/unmount cycles run under one app-wide QueryClient and one root, like a card on a
// settings page of an SPA that the user leaves and comes back to: what leaks there accumulates.
let cycleRoot: { root: Root; container: HTMLElement; queryClient: QueryClient } | null = null;

const api: BenchApi = {
  async timeMount() {
    const container = newContainer();
    const root = createRoot(container);
    performance.clearResourceTimings();
    const shown = whenConnected(container, 1);
    const start = performance.now();
    // No QueryClientProvider: the provider makes a fresh QueryClient, so every run really reads.
    root.render(<XeroConnectionProvider baseUrl={BENCH_BASE_PATH}>{card()}</XeroConnectionProvider>);
    try {
      const end = await shown;
      const request = performance
        .getEntriesByType('resource')
        .find((entry) => new URL(entry.name).pathname === `${BENCH_BASE_PATH}/connection`) as PerformanceResourceTiming | undefined;
      return { ms: end - start, requestMs: request ? request.responseEnd - request.startTime : null };
    } finally {
      root.unmount();
      container.remove();
    }
  },

  mountProfiled() {
    const root = createRoot(newContainer());
    root.render(
      <Profiler id="card" onRender={onRender}>
        <XeroConnectionProvider baseUrl={BENCH_BASE_PATH}>{card()}</XeroConnectionProvider>
      </Profiler>,
    );
  },

  mountPlainRadixDialog() {
    createRoot(newContainer()).render(
      <Profiler id="plain-radix" onRender={onRender}>
        <PlainRadixDialog />
      </Profiler>,
    );
  },

  async mountCards(count, layout) {
    const container = newContainer();
    const shown = whenConnected(container, count);
    createRoot(container).render(cards(count, layout));
    await shown;
  },

  async cycle(count) {
    cycleRoot ??= (() => {
      const container = newContainer();
      return { root: createRoot(container), container, queryClient: new QueryClient() };
    })();
    const { root, container, queryClient } = cycleRoot;
    const app = (show: boolean) => (
      <QueryClientProvider client={queryClient}>
        {show ? <XeroConnectionProvider baseUrl={BENCH_BASE_PATH}>{card()}</XeroConnectionProvider> : null}
      </QueryClientProvider>
    );
    for (let index = 0; index < count; index += 1) {
      const shown = whenConnected(container, 1);
      root.render(app(true));
      await shown;
      await nextTask();
      root.render(app(false));
      await nextTask();
    }
  },

  commits: () => commits.length,
  msSinceLastCommit: () => {
    const last = commits.at(-1);
    return last === undefined ? Number.POSITIVE_INFINITY : performance.now() - last;
  },
  resetCommits: () => {
    commits = [];
  },
};

window.__bench = api;
