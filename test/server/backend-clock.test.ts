import { describe, expect, it } from 'vitest';

import { setup } from './support';

// The browser measures the connection's dates from the backend's clock, read from the Date header
// of its answers: the handler's must be its `clock` (the emulator's in the demo and the tests), or
// an emulated year reaches the page as "Last used … (in 12 months)".

describe('the handler’s Date header', () => {
  it('is the handler’s clock on answers and problems', async () => {
    const harness = await setup();
    harness.emulator.advanceDays(400);
    const expected = harness.emulator.now().toUTCString();
    const read = await harness.request('/connection');
    expect(read.headers.get('date')).toBe(expected);
    const problem = await harness.request('/connection', { caller: null });
    expect(problem.status).toBe(401);
    expect(problem.headers.get('date')).toBe(expected);
    const unknownState = await harness.request('/callback?state=unknown');
    expect(unknownState.headers.get('date')).toBe(expected);
  });
});
