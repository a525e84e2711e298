import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';

import {
  CONTRACT_VERSION_HEADER,
  ERROR_CODES,
  ERROR_CODE_INFO,
  createXeroConnectionClient,
  isXeroConnectionApiError,
  isXeroConnectionContractError,
  isXeroConnectionError,
  isXeroConnectionNetworkError,
  isXeroConnectionTimeoutError,
  isXeroConnectionUsageError,
} from '../../src/client';
import { buildProblem } from '../../src/testing/fixtures';
import {
  BAD_GATEWAY_PAGE,
  BASE_URL,
  SIGN_IN_PAGE,
  answer,
  endpoints,
  narrow,
  problemAnswer,
  rejectionOf,
  setupMswServer,
} from './support';

// Every endpoint meets the same bad answers: a proxy's sign-in page, empty or truncated bodies,
// each problem code, bare HTTP errors and a backend speaking another contract major.

const server = setupMswServer();
const client = createXeroConnectionClient({ baseUrl: BASE_URL, retry: false });

describe.each(endpoints)('$label', (target) => {
  it('resolves a good answer', async () => {
    server.use(answer(target, () => HttpResponse.json(target.good())));

    await expect(target.call(client)).resolves.toEqual(target.good());
  });

  it('accepts unknown extra fields and strips them', async () => {
    server.use(answer(target, () => HttpResponse.json({ ...target.good(), addedInContract1_3: { nested: true } })));

    const result = await target.call(client);

    expect(result).toEqual(target.good());
    expect(result).not.toHaveProperty('addedInContract1_3');
  });

  it(`accepts a newer minor version in ${CONTRACT_VERSION_HEADER}`, async () => {
    server.use(answer(target, () => HttpResponse.json(target.good(), { headers: { [CONTRACT_VERSION_HEADER]: '1.7' } })));

    await expect(target.call(client)).resolves.toEqual(target.good());
  });

  it('rejects a field of the wrong type with a contract error naming the endpoint and the field', async () => {
    server.use(answer(target, () => HttpResponse.json(target.wrongType.body())));

    const error = narrow(await rejectionOf(target.call(client)), isXeroConnectionContractError);

    expect(error.code).toBe('CONTRACT_VIOLATION');
    expect(error.endpoint).toBe(target.label);
    expect(error.issues.map((issue) => issue.path)).toEqual([target.wrongType.path]);
    expect(error.message).toContain(target.label);
    expect(error.message).toContain(`${target.wrongType.path}: expected`);
  });

  it('rejects a 200 HTML sign-in page as a contract violation that hints at a proxy', async () => {
    server.use(answer(target, () => HttpResponse.html(SIGN_IN_PAGE)));

    const error = narrow(await rejectionOf(target.call(client)), isXeroConnectionContractError);

    expect(error.status).toBe(200);
    expect(error.issues).toEqual([{ path: '', message: 'expected application/json, got text/html' }]);
    expect(error.message).toBe(
      `${target.label} answered 200 with text/html body instead of application/json (a sign-in page or proxy may be in the way)`,
    );
  });

  it('rejects a 200 with an empty JSON body', async () => {
    server.use(answer(target, () => new HttpResponse('', { headers: { 'Content-Type': 'application/json' } })));

    const error = narrow(await rejectionOf(target.call(client)), isXeroConnectionContractError);

    expect(error.issues).toEqual([{ path: '', message: 'expected JSON, got an empty body' }]);
    expect(error.message).toBe(`${target.label} answered 200 with an empty body`);
  });

  it('rejects a 200 without a content type or a body', async () => {
    server.use(answer(target, () => new HttpResponse(null, { status: 200 })));

    const error = narrow(await rejectionOf(target.call(client)), isXeroConnectionContractError);

    expect(error.message).toContain(target.label);
    expect(error.issues[0]?.message).toBe('expected application/json, got no content type');
  });

  it('rejects a 204 No Content (the contract always answers a body)', async () => {
    server.use(answer(target, () => new HttpResponse(null, { status: 204, headers: { 'Content-Type': 'application/json' } })));

    const error = narrow(await rejectionOf(target.call(client)), isXeroConnectionContractError);

    expect(error.status).toBe(204);
    expect(error.message).toBe(`${target.label} answered 204 with an empty body`);
  });

  it('rejects truncated JSON', async () => {
    const text = JSON.stringify(target.good());
    server.use(
      answer(target, () => new HttpResponse(text.slice(0, text.length / 2), { headers: { 'Content-Type': 'application/json' } })),
    );

    const error = narrow(await rejectionOf(target.call(client)), isXeroConnectionContractError);

    expect(error.issues).toEqual([{ path: '', message: 'expected JSON, got a body that is not valid JSON' }]);
    expect(error.message).toBe(`${target.label} answered 200 with a body that is not valid JSON`);
  });

  it.each(ERROR_CODES)('turns a %s problem into an API error carrying its code, status and retryability', async (code) => {
    const problem = buildProblem(code, { detail: `detail for ${code}`, instance: '/req/1' });
    server.use(answer(target, () => problemAnswer(problem)));

    const error = narrow(await rejectionOf(target.call(client)), isXeroConnectionApiError);

    expect(error.name).toBe('XeroConnectionApiError');
    expect(error.code).toBe(code);
    expect(error.status).toBe(ERROR_CODE_INFO[code].status);
    expect(error.retryable).toBe(ERROR_CODE_INFO[code].retryable);
    expect(error.retryAfterSeconds).toBeNull();
    expect(error.problem).toEqual(problem);
    expect(error.endpoint).toBe(target.label);
    expect(error.message).toBe(
      `${target.label} failed with ${code} (${problem.status}): ${ERROR_CODE_INFO[code].title}: detail for ${code}`,
    );
  });

  it('takes retryAfterSeconds from the problem, over the Retry-After header', async () => {
    server.use(answer(target, () => problemAnswer(buildProblem('XERO_RATE_LIMITED', { retryAfterSeconds: 42 }), { 'Retry-After': '7' })));

    const error = narrow(await rejectionOf(target.call(client)), isXeroConnectionApiError);

    expect(error.code).toBe('XERO_RATE_LIMITED');
    expect(error.retryAfterSeconds).toBe(42);
  });

  it('takes retryAfterSeconds from the Retry-After header when the problem has none', async () => {
    server.use(answer(target, () => problemAnswer(buildProblem('XERO_UNAVAILABLE'), { 'Retry-After': '7' })));

    const error = narrow(await rejectionOf(target.call(client)), isXeroConnectionApiError);

    expect(error.retryAfterSeconds).toBe(7);
  });

  it('turns a bare 502 HTML page into a retryable INTERNAL API error', async () => {
    server.use(answer(target, () => HttpResponse.html(BAD_GATEWAY_PAGE, { status: 502, statusText: 'Bad Gateway' })));

    const error = narrow(await rejectionOf(target.call(client)), isXeroConnectionApiError);

    expect(error.code).toBe('INTERNAL');
    expect(error.status).toBe(502);
    expect(error.retryable).toBe(true);
    expect(error.problem).toBeNull();
    expect(error.message).toBe(
      `${target.label} failed with 502 Bad Gateway and a text/html body instead of application/problem+json`,
    );
  });

  it('turns a 401 without a body into an UNAUTHENTICATED API error that is not retryable', async () => {
    server.use(answer(target, () => new HttpResponse(null, { status: 401 })));

    const error = narrow(await rejectionOf(target.call(client)), isXeroConnectionApiError);

    expect(error.code).toBe('UNAUTHENTICATED');
    expect(error.status).toBe(401);
    expect(error.retryable).toBe(false);
    expect(error.message).toBe(`${target.label} failed with 401 Unauthorized and an untyped body instead of application/problem+json`);
  });

  it('turns a framework’s plain JSON 403 into a FORBIDDEN API error', async () => {
    server.use(answer(target, () => HttpResponse.json({ message: 'Forbidden' }, { status: 403 })));

    const error = narrow(await rejectionOf(target.call(client)), isXeroConnectionApiError);

    expect(error.code).toBe('FORBIDDEN');
    expect(error.problem).toBeNull();
  });

  it('rejects a problem with an unknown code as a contract violation naming the code field', async () => {
    server.use(answer(target, () => problemAnswer({ ...buildProblem('INTERNAL'), code: 'XERO_EXPLODED' })));

    const error = narrow(await rejectionOf(target.call(client)), isXeroConnectionContractError);

    expect(error.status).toBe(500);
    expect(error.issues.map((issue) => issue.path)).toEqual(['code']);
    expect(error.message).toBe(`${target.label} answered 500 with a problem whose code is not one of ${ERROR_CODES.length} contract codes`);
  });

  it('rejects a problem without retryable as a malformed problem', async () => {
    const problem: Record<string, unknown> = { ...buildProblem('INTERNAL') };
    delete problem.retryable;
    server.use(answer(target, () => problemAnswer(problem)));

    const error = narrow(await rejectionOf(target.call(client)), isXeroConnectionContractError);

    expect(error.issues).toEqual([{ path: 'retryable', message: 'expected boolean' }]);
    expect(error.message).toContain('a malformed problem: retryable: expected boolean');
  });

  it(`rejects an answer from a backend speaking contract 2.0 in ${CONTRACT_VERSION_HEADER}, even with a valid body`, async () => {
    server.use(answer(target, () => HttpResponse.json(target.good(), { headers: { [CONTRACT_VERSION_HEADER]: '2.0' } })));

    const error = narrow(await rejectionOf(target.call(client)), isXeroConnectionContractError);

    expect(error.message).toContain(target.label);
    expect(error.message).toContain(`an incompatible ${CONTRACT_VERSION_HEADER} header`);
    expect(error.issues[0]?.message).toBe('backend speaks contract 2.0; this client speaks 1.1 (major versions must match)');
  });

  it('rejects an error answer from a contract 2.0 backend as a contract violation too', async () => {
    server.use(answer(target, () => problemAnswer(buildProblem('INTERNAL'), { [CONTRACT_VERSION_HEADER]: '2.0' })));

    const error = narrow(await rejectionOf(target.call(client)), isXeroConnectionContractError);

    expect(error.status).toBe(500);
  });

  it('turns a network failure into a retryable network error naming the endpoint and URL', async () => {
    server.use(answer(target, () => HttpResponse.error()));

    const error = narrow(await rejectionOf(target.call(client)), isXeroConnectionNetworkError);

    expect(error.code).toBe('NETWORK_ERROR');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(`${target.label} could not reach the backend at ${target.url}`);
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it('never rejects with a raw error: exactly one guard matches each failure', async () => {
    const guards = [
      isXeroConnectionApiError,
      isXeroConnectionContractError,
      isXeroConnectionNetworkError,
      isXeroConnectionTimeoutError,
      isXeroConnectionUsageError,
    ];
    const answers = [
      () => HttpResponse.html(SIGN_IN_PAGE),
      () => problemAnswer(buildProblem('XERO_INVALID_GRANT')),
      () => HttpResponse.error(),
    ];
    for (const respond of answers) {
      server.use(answer(target, respond));
      const error = await rejectionOf(target.call(client));
      expect(isXeroConnectionError(error)).toBe(true);
      expect(guards.filter((guard) => guard(error))).toHaveLength(1);
    }
  });
});
