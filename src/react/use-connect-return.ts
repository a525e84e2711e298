import { useEffect } from 'react';

import { readConnectReturn, withoutConnectReturn, type ConnectOutcome } from '../client';
import type { ActionRegistry } from './action-registry';
import { MESSAGE_SOURCE } from './connect-messages';
import { postToOtherTabs } from './page-channel';
import { handOutcomeToOpener } from './popup-round-trip';

/**
 * Reads the return from Xero (`?xero=connected` / `?xero=error&code=…`) off the page's URL, once
 * per page, after mount (never during a server render).
 *
 * "Once" comes from the URL itself: the hook that takes the return removes the parameters with
 * `history.replaceState` in the same synchronous step, so every later effect (StrictMode's second
 * run, other cards, other hooks) finds nothing; a reload finds nothing either. A return naming an
 * integration (`RETURN_INTEGRATION_PARAM`) is taken only by a hook of that integration
 * and left in the URL for it otherwise; one without is taken by the first hook that mounts.
 *
 * Inside the pop-up of a pop-up round trip it hands the outcome to the opener and to the other
 * tabs instead, shows it (in case closing fails) and closes the pop-up; the opener reports it.
 */
export function useConnectReturn(
  baseUrl: string,
  registry: ActionRegistry,
  settle: (outcome: ConnectOutcome) => void,
  refresh: () => Promise<unknown>,
): void {
  useEffect(() => {
    if (typeof window === 'undefined') return;
    const href = window.location.href;
    const found = readConnectReturn(href);
    if (!found || (found.integration !== null && found.integration !== baseUrl)) return;
    // Every other parameter, their order and the hash stay; routers' history.state too.
    window.history.replaceState(window.history.state, '', withoutConnectReturn(href));

    if (found.popup) {
      handOutcomeToOpener(baseUrl, found.outcome);
      postToOtherTabs({ source: MESSAGE_SOURCE, type: 'connect-result', baseUrl, outcome: found.outcome });
      registry.setOutcome(found.outcome);
      void refresh();
      try {
        window.close();
      } catch {
        // Not closable: the page shows the outcome instead.
      }
      return;
    }
    settle(found.outcome);
  }, [baseUrl, registry, settle, refresh]);
}
