import { getResponse, http, HttpResponse } from 'msw';

import type { FakeXeroBackend } from '../../src/testing';

// The stories' fake backends behind one msw handler that never goes away. A docs page shows
// several stories at once, each with its own backend under its own base URL, and Storybook tears
// stories down and renders them again while the page settles; msw-storybook-addon resets the
// worker's handlers on every teardown. This handler is the worker's initial handler, so it
// survives those resets, and it routes each request to the backend registered for its URL.

const backends = new Set<FakeXeroBackend>();

/** Serves `backend` until the returned function is called (the story's cleanup). */
export function registerStoryBackend(backend: FakeXeroBackend): () => void {
  backends.add(backend);
  return () => {
    backends.delete(backend);
  };
}

/** The worker's initial handler: every /api/… request goes to the story backend that answers it. */
export const storyBackendsHandler = http.all('/api/*', async ({ request }) => {
  const handlers = [...backends].flatMap((backend) => backend.handlers);
  const response = await getResponse(handlers, request);
  if (response) return response;
  // A story that forgot its backend: say so, and fail like an unreachable server would.
  console.error(`[stories] No fake backend answers ${request.method} ${new URL(request.url).pathname}. Use xeroConnectionLoader and installXeroBackend.`);
  return HttpResponse.error();
});
