import { readdirSync, readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import {
  CONTRACT_DOC_PATH,
  GENERATED_END,
  GENERATED_START,
  generatedPartOf,
  headingAnchor,
  renderContractReference,
  withGeneratedPart,
} from '../../scripts/write-contract-doc';
import { buildOpenApiDocument } from '../../src/contract/openapi-document';

// docs/contract.md's reference part is rendered from the OpenAPI document, so it cannot say
// something the document does not. This fails when the committed text differs from a fresh render.

const doc = readFileSync(CONTRACT_DOC_PATH, 'utf8');
const REPO = new URL('../../', import.meta.url);

/** The anchors GitHub gives a Markdown file's headings (a repeated heading gets `-1`, `-2`, …). */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const withoutCode = markdown.replace(/^```[\s\S]*?^```/gm, '');
  for (const [, heading] of withoutCode.matchAll(/^#{1,6} (.+)$/gm)) {
    const anchor = headingAnchor(heading ?? '');
    const count = seen.get(anchor) ?? 0;
    seen.set(anchor, count + 1);
    anchors.add(count === 0 ? anchor : `${anchor}-${count}`);
  }
  return anchors;
}

function markdownFiles(): string[] {
  const docs = readdirSync(new URL('docs/', REPO), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`);
  return ['README.md', 'CONTRIBUTING.md', ...docs];
}

describe('docs/contract.md', () => {
  it('holds the reference part rendered from the OpenAPI document', () => {
    expect(
      generatedPartOf(doc),
      'docs/contract.md is out of date with the OpenAPI document: run `npm run docs:contract` (or `npm run openapi`) and commit the result',
    ).toBe(renderContractReference(buildOpenApiDocument()));
  });

  it('keeps its hand-written parts around the markers', () => {
    const start = doc.indexOf(GENERATED_START);
    const end = doc.indexOf(GENERATED_END);
    expect(doc.slice(0, start)).toContain('## How the document is checked');
    expect(doc.slice(end)).toContain('## Run the conformance suite against your backend');
    // Rendering again changes nothing: the script is a fixed point on the committed file.
    expect(withGeneratedPart(doc, generatedPartOf(doc))).toBe(doc);
  });

  it('links only to anchors it has', () => {
    const anchors = anchorsOf(doc);
    const links = [...doc.matchAll(/\]\(#([^)]+)\)/g)].map((match) => match[1] ?? '');
    expect(links.length).toBeGreaterThan(10);
    expect(links.filter((anchor) => !anchors.has(anchor))).toEqual([]);
  });

  it('is linked to by anchors it has, from README.md, CONTRIBUTING.md and docs/', () => {
    const anchors = anchorsOf(doc);
    const broken = markdownFiles().flatMap((file) => {
      const text = readFileSync(new URL(file, REPO), 'utf8');
      return [...text.matchAll(/contract\.md#([^)\s]+)/g)]
        .map((match) => match[1] ?? '')
        .filter((anchor) => !anchors.has(anchor))
        .map((anchor) => `${file}: contract.md#${anchor}`);
    });
    expect(broken).toEqual([]);
  });
});
