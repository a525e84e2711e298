import { Webhook } from 'standardwebhooks';

import type { ConnectionEvent } from './connection-events';
import type { SendConnectionEvent } from './event-delivery';

/** Options of {@link createWebhookSender}. */
export interface WebhookSenderOptions {
  /** The receiver's endpoint (https, or http on loopback for tests). */
  url: string;
  /**
   * The signing secret shared with the receiver, as Standard Webhooks writes it: `whsec_` and the
   * key in base64 (at least 24 bytes; `openssl rand -base64 32`, prefixed). Never sent.
   */
  secret: string;
  /** The fetch used to post. Default: the global one. */
  fetch?: typeof globalThis.fetch;
  /** Extra request headers (e.g. the receiver's own routing). The signature's headers always win. */
  headers?: Record<string, string>;
  /** When a post is abandoned (it then throws, so the event is retried). Default 10,000 ms. */
  timeoutMs?: number;
  /** The clock of `webhook-timestamp`. Default: now. */
  clock?: () => Date;
}

/** A webhook delivery the receiver refused (a non-2xx answer): thrown so the event is retried. */
export class XeroWebhookDeliveryError extends Error {
  override readonly name = 'XeroWebhookDeliveryError';
  /** The receiver's HTTP status. */
  readonly status: number;
  /** @param status the receiver's HTTP status. */
  constructor(status: number) {
    super(`The webhook receiver answered ${status}`);
    this.status = status;
  }
}

/**
 * A `send` for `deliverConnectionEvents` / `startEventDelivery` that posts each event as JSON to
 * `url`, signed as the Standard Webhooks specification says (the `standardwebhooks` package):
 * `webhook-id` (the event's id, stable across retries, for the receiver's dedupe),
 * `webhook-timestamp` (seconds) and `webhook-signature` (`v1,` HMAC-SHA256 of
 * `id.timestamp.body`). A non-2xx answer, a timeout or a network failure throws, so the event is
 * tried again later. The receiver checks it with `new Webhook(secret).verify(body, headers)`.
 *
 * @throws {Error} at once, when `secret` is not a Standard Webhooks secret.
 */
export function createWebhookSender(options: WebhookSenderOptions): SendConnectionEvent {
  const signer = new Webhook(options.secret);
  const url = new URL(options.url).href;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const clock = options.clock ?? (() => new Date());
  return async (event: ConnectionEvent) => {
    const fetchImpl = options.fetch ?? globalThis.fetch;
    const body = JSON.stringify(event);
    const timestamp = clock();
    const response = await fetchImpl(url, {
      method: 'POST',
      headers: {
        ...options.headers,
        'content-type': 'application/json',
        'webhook-id': event.id,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': signer.sign(event.id, timestamp, body),
      },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
    // The body is not needed; reading it frees the connection.
    await response.arrayBuffer().catch(() => undefined);
    if (response.status < 200 || response.status > 299) throw new XeroWebhookDeliveryError(response.status);
  };
}
