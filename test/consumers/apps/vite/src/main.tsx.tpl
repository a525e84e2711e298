import '@carevision/xero-connection/styles.css';

import { createXeroConnectionHandlers } from '@carevision/xero-connection/testing';
import { setupWorker } from 'msw/browser';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { App, BASE_URL } from './app';

// The package's fake backend answers in the page, through msw's service worker
// (public/mockServiceWorker.js, from `msw init`). Anything it does not handle is an error.
const worker = setupWorker(...createXeroConnectionHandlers({ baseUrl: BASE_URL }));

void worker.start({ onUnhandledRequest: 'error', quiet: true }).then(() => {
  const root = document.getElementById('root');
  if (!root) throw new Error('#root is missing');
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
});
