import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';

import { createMemoryConnectionStore, createWebhookSender, XeroWebhookDeliveryError, type ConnectionEvent } from '../../src/server';
import { setup } from './support';

const SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;

interface Received {
  headers: Record<string, string>;
  body: string;
}

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A receiver on loopback that answers `status` (or what `answer` says) and keeps what it got. */
async function receiver(answer: (received: Received) => number = () => 204): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const entry = { headers: request.headers as Record<string, string>, body };
      received.push(entry);
      response.statusCode = answer(entry);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/xero`, received };
}

describe('createWebhookSender (Standard Webhooks)', () => {
  it('posts each event signed: webhook-id is the event id, and Webhook.verify accepts it', async () => {
    const { url, received } = await receiver();
    const { connectThroughXero, handler } = await setup({ store: createMemoryConnectionStore() });
    await connectThroughXero();
    await expect(handler.deliverConnectionEvents(createWebhookSender({ url, secret: SECRET }))).resolves.toEqual({ delivered: 1, failed: 0, deadLettered: 0 });
    const [hook] = received;
    const event = new Webhook(SECRET).verify(hook?.body ?? '', hook?.headers ?? {}) as ConnectionEvent;
    expect(event).toMatchObject({ type: 'connected', accountId: 'default' });
    expect(hook?.headers['webhook-id']).toBe(event.id);
    expect(hook?.headers['content-type']).toBe('application/json');
    // Altered, or under another secret: refused.
    expect(() => new Webhook(SECRET).verify(hook?.body.replace('default', 'other') ?? '', hook?.headers ?? {})).toThrow();
    expect(() => new Webhook(`whsec_${Buffer.from('another secret, 32 bytes long!!!').toString('base64')}`).verify(hook?.body ?? '', hook?.headers ?? {})).toThrow();
  });

  it('throws on a non-2xx answer, so the event is retried with the same webhook-id', async () => {
    let status = 503;
    const { url, received } = await receiver(() => status);
    const send = createWebhookSender({ url, secret: SECRET });
    const { connectThroughXero, emulator, handler } = await setup({ store: createMemoryConnectionStore() });
    await connectThroughXero();
    await expect(handler.deliverConnectionEvents(send)).resolves.toEqual({ delivered: 0, failed: 1, deadLettered: 0 });
    status = 200;
    emulator.advance(30_000);
    await expect(handler.deliverConnectionEvents(send)).resolves.toEqual({ delivered: 1, failed: 0, deadLettered: 0 });
    expect(received.map((entry) => entry.headers['webhook-id'])).toEqual([received[0]?.headers['webhook-id'], received[0]?.headers['webhook-id']]);
    const failing = createWebhookSender({ url, secret: SECRET, fetch: async () => new Response(null, { status: 410 }) });
    await expect(failing({} as ConnectionEvent)).rejects.toBeInstanceOf(XeroWebhookDeliveryError);
  });

  it('the receiver example in docs/server.md verifies a real delivery', async () => {
    const docs = readFileSync(fileURLToPath(new URL('../../docs/server.md', import.meta.url)), 'utf8');
    const example = /<!-- receiver-example -->\s*```ts\n([\s\S]*?)```/.exec(docs)?.[1];
    expect(example).toBeDefined();
    // The example's handler, made from its text: (request: Request) => Promise<Response>.
    const source = (example ?? '')
      .replace(/^import .*$/gm, '')
      .replace(/process\.env\.XERO_WEBHOOK_SECRET!?/g, 'secret')
      .replace(/export async function POST/, 'return async function POST');
    const { default: ts } = await import('typescript');
    const js = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022 } }).outputText;
    const seen: ConnectionEvent[] = [];
    const notify = async (event: ConnectionEvent) => void seen.push(event);
    const alreadySeen = async () => false;
    const POST = new Function('Webhook', 'secret', 'notifyAdministrator', 'alreadySeen', js)(Webhook, SECRET, notify, alreadySeen) as (request: Request) => Promise<Response>;

    const { connectThroughXero, client, emulator, handler } = await setup({ store: createMemoryConnectionStore(), reconnectPageUrl: 'https://portal.example/settings' });
    await connectThroughXero();
    emulator.advanceDays(61);
    await client().verify();
    const fetchIntoExample: typeof fetch = async (input, init) => POST(new Request(input, init));
    await handler.deliverConnectionEvents(createWebhookSender({ url: 'https://portal.example/hooks/xero', secret: SECRET, fetch: fetchIntoExample }));
    expect(seen.map((event) => event.type)).toEqual(['connected', 'needs_reauth']);
    expect(seen[1]?.reconnectUrl).toMatch(/^https:\/\/portal\.example\/settings\?xero=reconnect&xeroIntegration=/);
    const forged = await POST(new Request('https://portal.example/hooks/xero', { method: 'POST', body: '{}', headers: { 'webhook-id': 'x', 'webhook-timestamp': '1', 'webhook-signature': 'v1,AAAA' } }));
    expect(forged.status).toBe(400);
  });
});
