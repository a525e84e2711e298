import axe from 'axe-core';
import { expect } from 'vitest';

/**
 * Runs axe on `context` (default: the whole document, so portaled dialogs are included) and
 * fails with a readable list of violations. Runs in real Chromium, so colour contrast is checked
 * against the styles actually applied.
 */
export async function expectNoAxeViolations(context: Element | Document = document): Promise<void> {
  const results = await axe.run(context as Element, { resultTypes: ['violations'] });
  const summary = results.violations
    .map((violation) => `${violation.id} (${violation.impact ?? 'n/a'}): ${violation.help}\n  ${violation.nodes.map((node) => node.target.join(' ')).join('\n  ')}`)
    .join('\n');
  expect(results.violations, summary).toEqual([]);
}

/** Forces the theme for the page: `data-theme` on <html>, which the stylesheet honours over the OS setting. */
export function setTheme(theme: 'light' | 'dark'): void {
  document.documentElement.dataset.theme = theme;
}
