import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { CONTRACT_VERSION, CONTRACT_VERSION_HEADER, problemSchema } from '../../src/contract';
import { createXeroConnectionHandler, toNodeListener } from '../../src/server';
import { requestUrl } from '../../src/server/node-listener';

// The node:http adapter builds the request's URL from the configured origin and the path alone,
// and answers what it refuses itself as problems: an absolute-form or `//` request-target once
// made another origin the request's own (and a `returnTo` on it acceptable), and TRACE was a 500
// with a stack in the log.

const BASE_PATH = '/api/integrations/xero-billing';
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function listen(origin?: string) {
  const errors: unknown[] = [];
  const handler = createXeroConnectionHandler({
    basePath: BASE_PATH,
    clientId: 'id',
    clientSecret: 'secret',
    redirectUri: `https://portal.example${BASE_PATH}/callback`,
    scopes: [],
    authenticate: () => ({ userId: 'alice', canManage: true }),
  });
  const server = createServer(toNodeListener(handler, { ...(origin === undefined ? {} : { origin }), maxBodyBytes: 1024, onError: (error) => errors.push(error) }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as AddressInfo).port, errors };
}

/** A raw request with exactly this request-target (fetch would normalise it). */
function raw(port: number, method: string, target: string, body?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path: target, headers: body === undefined ? {} : { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('toNodeListener', () => {
  it('ignores the authority of an absolute-form target: a foreign returnTo stays foreign', async () => {
    const { port } = await listen('https://portal.example');
    const answer = await raw(port, 'POST', `http://evil.example${BASE_PATH}/connect`, JSON.stringify({ returnTo: 'http://evil.example/steal', mode: 'connect' }));
    expect(answer.status).toBe(400);
    expect(problemSchema.parse(JSON.parse(answer.body))).toMatchObject({ code: 'VALIDATION_FAILED' });
    const ours = await raw(port, 'POST', `http://evil.example${BASE_PATH}/connect`, JSON.stringify({ returnTo: 'https://portal.example/settings', mode: 'connect' }));
    expect(ours.status).toBe(200);
  });

  it('reads a target starting // as a path on the configured origin, never as another host', () => {
    expect(requestUrl('//evil.example/x?y=1', 'https://portal.example').href).toBe('https://portal.example/evil.example/x?y=1');
    expect(requestUrl(`http://evil.example${BASE_PATH}/connection?a=b`, 'https://portal.example').href).toBe(`https://portal.example${BASE_PATH}/connection?a=b`);
    expect(requestUrl(`${BASE_PATH}/connection`, 'http://127.0.0.1:3000').href).toBe(`http://127.0.0.1:3000${BASE_PATH}/connection`);
  });

  it('answers TRACE with a 405 problem, not a 500 with a stack', async () => {
    const { port, errors } = await listen();
    const answer = await raw(port, 'TRACE', `${BASE_PATH}/connection`);
    expect(answer.status).toBe(405);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.headers[CONTRACT_VERSION_HEADER.toLowerCase()]).toBe(CONTRACT_VERSION);
    expect(errors).toHaveLength(0);
  });

  it('answers a body over the limit with a 413 problem carrying the contract version', async () => {
    const { port } = await listen();
    const answer = await raw(port, 'POST', `${BASE_PATH}/connect`, JSON.stringify({ returnTo: `https://portal.example/${'x'.repeat(2048)}`, mode: 'connect' }));
    expect(answer.status).toBe(413);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.headers[CONTRACT_VERSION_HEADER.toLowerCase()]).toBe(CONTRACT_VERSION);
    expect(problemSchema.parse(JSON.parse(answer.body))).toMatchObject({ code: 'VALIDATION_FAILED', status: 413 });
  });
});
