// One client per integration for the whole page: the cards and the Direct Export panel sit under
// separate `<XeroConnectionProvider>`s that share the connection's query (and, per base URL, the
// backend's clock), so one client each is all they need.
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
