import { describe, expect, it } from 'vitest';

import {
  XeroConnectionApiError,
  XeroConnectionContractError,
  XeroConnectionError,
  XeroConnectionNetworkError,
  XeroConnectionTimeoutError,
  XeroConnectionUsageError,
  isXeroConnectionApiError,
  isXeroConnectionContractError,
  isXeroConnectionError,
  isXeroConnectionNetworkError,
  isXeroConnectionTimeoutError,
  isXeroConnectionUsageError,
} from '../../src/client';

const errors = {
  api: new XeroConnectionApiError({
    endpoint: 'GET /connection',
    code: 'XERO_RATE_LIMITED',
    status: 429,
    retryable: true,
    retryAfterSeconds: 30,
    problem: null,
    message: 'GET /connection failed with XERO_RATE_LIMITED (429)',
  }),
  contract: new XeroConnectionContractError({
    endpoint: 'GET /connection',
    status: 200,
    issues: [{ path: 'status', message: 'unknown status' }],
    summary: 'a body that breaks the contract: status: unknown status',
  }),
  network: new XeroConnectionNetworkError('DELETE /connection', 'https://portal.example/x/connection', new TypeError('fetch failed')),
  timeout: new XeroConnectionTimeoutError('POST /connect', 50),
  usage: new XeroConnectionUsageError('createXeroConnectionClient: bad option', null),
};

const guards = {
  api: isXeroConnectionApiError,
  contract: isXeroConnectionContractError,
  network: isXeroConnectionNetworkError,
  timeout: isXeroConnectionTimeoutError,
  usage: isXeroConnectionUsageError,
};

const kinds = Object.keys(errors) as Array<keyof typeof errors>;

describe('error classes and their guards', () => {
  it.each(kinds)('the %s error matches its own guard and no other', (kind) => {
    const error = errors[kind];

    expect(isXeroConnectionError(error)).toBe(true);
    for (const other of kinds) expect(guards[other](error)).toBe(other === kind);
  });

  it.each(kinds)('the %s error is a real Error with a name, a code and a stack', (kind) => {
    const error = errors[kind];

    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(XeroConnectionError);
    expect(error.name).toMatch(/^XeroConnection\w+Error$/);
    expect(error.code).toEqual(expect.any(String));
    expect(error.stack).toContain(error.name);
  });

  it('carries the codes and flags hosts switch on', () => {
    expect([errors.contract.code, errors.network.code, errors.timeout.code, errors.usage.code]).toEqual([
      'CONTRACT_VIOLATION',
      'NETWORK_ERROR',
      'TIMEOUT',
      'INVALID_USAGE',
    ]);
    expect([errors.contract.retryable, errors.network.retryable, errors.timeout.retryable, errors.usage.retryable]).toEqual([
      false,
      true,
      true,
      false,
    ]);
  });

  it('names the endpoint in every message, and the cause of a network error', () => {
    expect(errors.contract.message).toBe('GET /connection answered 200 with a body that breaks the contract: status: unknown status');
    expect(errors.network.message).toBe('DELETE /connection could not reach the backend at https://portal.example/x/connection: fetch failed');
    expect(errors.network.cause).toBeInstanceOf(TypeError);
    expect(errors.timeout.message).toBe('POST /connect got no complete answer within 50 ms');
  });

  it.each([new Error('x'), new TypeError('x'), 'XeroConnectionApiError', null, undefined, { name: 'XeroConnectionApiError' }])(
    'the guards reject %s',
    (value) => {
      expect(isXeroConnectionError(value)).toBe(false);
      expect(isXeroConnectionApiError(value)).toBe(false);
    },
  );

  it('the guards accept an error from another copy of the package (dual-package hazard), which instanceof would not', () => {
    const fromOtherCopy = Object.assign(new Error('GET /connection got no complete answer within 50 ms'), {
      name: 'XeroConnectionTimeoutError',
      code: 'TIMEOUT',
      [Symbol.for('@carevision/xero-connection/error')]: true,
    });

    expect(fromOtherCopy).not.toBeInstanceOf(XeroConnectionError);
    expect(isXeroConnectionError(fromOtherCopy)).toBe(true);
    expect(isXeroConnectionTimeoutError(fromOtherCopy)).toBe(true);
  });
});
