import type { core } from 'zod/mini';

import type { ContractIssue } from './errors';

// zod/mini ships no English messages (loading them would mean a global `z.config()`, which a
// library must not do to its host), so issues are put into words here, from their structured data.
// Only the received value's type is named, never the value: bodies can hold organisation names.

function describeOne(issue: core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'invalid_value':
      return `expected ${issue.values.map((value) => JSON.stringify(value)).join(' | ')}`;
    case 'invalid_format':
      return `expected ${issue.format === 'url' ? 'an http(s) URL' : `a ${issue.format} string`}`;
    case 'too_small':
      return issue.origin === 'string' ? 'expected a non-empty string' : `expected at least ${String(issue.minimum)}`;
    case 'too_big':
      return `expected at most ${String(issue.maximum)}`;
    case 'not_multiple_of':
      return `expected a multiple of ${String(issue.divisor)}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
    case 'invalid_union':
      // A union on a discriminator (`status`) reports the allowed values; say them.
      return 'options' in issue && Array.isArray(issue.options) && issue.options.length > 0
        ? `expected ${issue.options.map((value) => JSON.stringify(value)).join(' | ')}`
        : 'does not match any allowed shape';
    default:
      return 'invalid value';
  }
}

function pathOf(issue: core.$ZodIssue): string {
  return issue.path.map(String).join('.');
}

/** Turns zod issues into {@link ContractIssue}s that name the field and what was expected. */
export function describeIssues(issues: readonly core.$ZodIssue[]): ContractIssue[] {
  return issues.map((issue) => ({ path: pathOf(issue), message: describeOne(issue) }));
}

/** One line for an error message: the first issue, and how many more there are. */
export function summarizeIssues(issues: readonly ContractIssue[]): string {
  const [first, ...rest] = issues;
  if (!first) return 'an invalid body';
  const where = first.path === '' ? 'body' : first.path;
  const more = rest.length > 0 ? ` (and ${rest.length} more issue${rest.length > 1 ? 's' : ''})` : '';
  return `${where}: ${first.message}${more}`;
}
