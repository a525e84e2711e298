// One client per integration for the whole page. The cards and the Direct Export panel sit under
// separate `<XeroConnectionProvider>`s that share the connection's query; a provider given only a
// `baseUrl` makes its own client, and a client keeps what its backend's answers said about the
// backend's clock (their `Date`). With two clients the card may render the other one's read
// measured on a clock that never saw it ("Last used … (this minute)" 61 days later on Xero's clock).
import { createXeroConnectionClient, type XeroConnectionClient } from '../src';

const clients = new Map<string, XeroConnectionClient>();

/** The page's client for the integration at `baseUrl`. */
export function clientFor(baseUrl: string): XeroConnectionClient {
  let client = clients.get(baseUrl);
  if (client === undefined) {
    client = createXeroConnectionClient({ baseUrl });
    clients.set(baseUrl, client);
  }
  return client;
}
