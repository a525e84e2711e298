// Writes the reference part of docs/contract.md from the contract's OpenAPI document
// (`npm run docs:contract`; `npm run openapi` runs it too). Only the text between the two markers
// is replaced: the prose around them is hand-written. test/contract/contract-doc.test.ts fails when
// the committed part differs from what this renders, so the doc cannot drift from the document.

import { readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { buildOpenApiDocument, type JsonObject, type JsonValue, type OpenApiDocument } from '../src/contract/openapi-document';

export const CONTRACT_DOC_PATH = fileURLToPath(new URL('../docs/contract.md', import.meta.url));

export const GENERATED_START =
  '<!-- generated from contract/openapi.json by npm run docs:contract: do not edit between these lines -->';
export const GENERATED_END = '<!-- end of generated part -->';

const COMPONENT_PREFIX = /^#\/components\/(?:schemas|headers|parameters|responses)\//;
const CONNECTION_SECTION = 'The `Connection` union';
const PROTOCOL_SECTION = 'Protocol problems';
const HEADERS_SECTION = 'Headers';
/** The objects a connection holds, each rendered under the union with a heading of its own. */
const CONNECTION_PARTS = ['Tenant', 'ConnectedBy', 'LastError', 'KeepAlive'];

// ============================================================================================
// Reading the document
// ============================================================================================

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectAt(value: JsonValue | undefined): JsonObject {
  return isObject(value) ? value : {};
}

function stringAt(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : '';
}

function refName(schema: JsonObject): string | undefined {
  return typeof schema.$ref === 'string' ? schema.$ref.replace(COMPONENT_PREFIX, '') : undefined;
}

/** What a `$ref` points at in the document's components. */
function resolveRef(document: OpenApiDocument, value: JsonObject): JsonObject {
  if (typeof value.$ref !== 'string') return value;
  const [, kind, name] = /^#\/components\/(\w+)\/(.+)$/.exec(value.$ref) ?? [];
  const found = objectAt(objectAt(document.components[kind ?? ''])[name ?? '']);
  if (Object.keys(found).length === 0) throw new Error(`write-contract-doc: ${value.$ref} is not in the document`);
  return found;
}

// ============================================================================================
// Markdown
// ============================================================================================

/** GitHub's anchor for a heading. */
export function headingAnchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{Letter}\p{Number}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function link(text: string, heading: string): string {
  return `[${text}](#${headingAnchor(heading)})`;
}

/** A table cell: one line, pipes escaped. */
function cell(text: string): string {
  return text.replace(/\s*\n+\s*/g, ' ').replace(/\|/g, '\\|');
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)].join(
    '\n',
  );
}

/** A short type for a schema: `Tenant \| null`, `'connect' \| 'reauth'`, `string[]`. */
function typeOf(schema: JsonObject): string {
  const name = refName(schema);
  if (name === 'Timestamp') return 'timestamp';
  if (name === 'HttpUrl') return 'http(s) URL';
  if (name === 'Connection') return link('`Connection`', CONNECTION_SECTION);
  if (name === 'ErrorCode') return link('`ErrorCode`', 'Error codes');
  if (name !== undefined && CONNECTION_PARTS.includes(name)) return link(`\`${name}\``, `\`${name}\``);
  if (name !== undefined) return `\`${name}\``;
  if (schema.const === null) return '`null`';
  if (Array.isArray(schema.enum)) return schema.enum.map((value) => `\`${JSON.stringify(value).replace(/"/g, "'")}\``).join(' | ');
  if (Array.isArray(schema.anyOf)) return schema.anyOf.map((option) => typeOf(objectAt(option))).join(' | ');
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  return types
    .map((type) => {
      if (type === 'array') {
        const items = typeOf(objectAt(schema.items));
        return typeof schema.minItems === 'number' && schema.minItems > 0 ? `${items}[] (at least ${schema.minItems})` : `${items}[]`;
      }
      return typeof type === 'string' ? type : 'any';
    })
    .join(' | ');
}

function properties(schema: JsonObject): [string, JsonObject][] {
  return Object.entries(objectAt(schema.properties)).map(([name, property]) => [name, objectAt(property)]);
}

function fieldTable(schema: JsonObject, only?: (name: string) => boolean): string {
  const required = Array.isArray(schema.required) ? schema.required : [];
  const rows = properties(schema)
    .filter(([name]) => only?.(name) ?? true)
    .map(([name, property]) => [`\`${name}\``, typeOf(property), required.includes(name) ? 'yes' : 'no', stringAt(property.description)]);
  return table(['field', 'type', 'required', 'meaning'], rows);
}

function schemaBlock(document: OpenApiDocument, name: string): string {
  const schema = document.components.schemas[name] ?? {};
  return [`\`${name}\`: ${stringAt(schema.description)}`, '', fieldTable(schema)].join('\n');
}

// ============================================================================================
// Sections
// ============================================================================================

function overview(document: OpenApiDocument): string {
  const info = objectAt(document.info);
  return [`## ${stringAt(info.title)}, version ${stringAt(info.version)}`, '', stringAt(info.description)].join('\n');
}

interface ProblemRow {
  status: string;
  code: string;
  /** The example's name when it is not the code: a protocol refusal, told apart by status. */
  label?: string;
  detail?: string;
}

function problemRows(responses: JsonObject): ProblemRow[] {
  const rows: ProblemRow[] = [];
  for (const [status, response] of Object.entries(responses)) {
    if (!/^[45]\d\d$/.test(status)) continue;
    const content = objectAt(objectAt(objectAt(response).content)['application/problem+json']);
    for (const [name, example] of Object.entries(objectAt(content.examples))) {
      const value = objectAt(objectAt(example).value);
      const code = stringAt(value.code);
      const detail = stringAt(value.detail);
      rows.push({ status, code, ...(name === code ? {} : { label: name }), ...(detail === '' ? {} : { detail }) });
    }
  }
  return rows;
}

function labelText(label: string): string {
  return label.toLowerCase().replace(/_/g, ' ');
}

/** The codes a route answers, by status; protocol refusals are in their own table. */
function problemTable(responses: JsonObject): string {
  const byStatus = new Map<string, string[]>();
  for (const row of problemRows(responses)) {
    if (row.label === undefined) byStatus.set(row.status, [...(byStatus.get(row.status) ?? []), `\`${row.code}\``]);
  }
  return table(
    ['status', 'codes'],
    [...byStatus].map(([status, codes]) => [status, codes.join(', ')]),
  );
}

function operationSection(document: OpenApiDocument, path: string, method: string, op: JsonObject): string {
  const lines = [`### ${routeHeading({ path, method, op })}`, '', stringAt(op.description), ''];

  if (Array.isArray(op.security)) {
    const schemes = op.security.flatMap((requirement) => Object.keys(objectAt(requirement)));
    lines.push(`**Who may call it:** ${schemes.length === 0 ? 'anyone' : schemes.map((scheme) => `\`${scheme}\``).join(' or ')}.`, '');
  }

  const parameters = (Array.isArray(op.parameters) ? op.parameters : []).map((parameter) => resolveRef(document, objectAt(parameter)));
  const headers = parameters.filter((parameter) => parameter.in === 'header');
  if (headers.length > 0) {
    lines.push(`**Request headers:** ${headers.map((header) => link(`\`${stringAt(header.name)}\``, requestHeaderHeading(stringAt(header.name)))).join(', ')} (optional).`, '');
  }
  const query = parameters.filter((parameter) => parameter.in === 'query');
  if (query.length > 0) {
    lines.push('**Query parameters:**', '', ...query.map((parameter) => `- \`${stringAt(parameter.name)}\`: ${stringAt(parameter.description)}`), '');
  }

  const body = objectAt(objectAt(objectAt(op.requestBody).content)['application/json']);
  const bodyName = refName(objectAt(body.schema));
  if (bodyName !== undefined) lines.push(`**Body** (JSON), ${schemaBlock(document, bodyName)}`, '');

  const responses = objectAt(op.responses);
  for (const [status, value] of Object.entries(responses)) {
    if (!/^[23]\d\d$/.test(status)) continue;
    const response = objectAt(value);
    const answerHeaders = objectAt(response.headers);
    const schema = objectAt(objectAt(objectAt(response.content)['application/json']).schema);
    const name = refName(schema);
    if (name === undefined) {
      lines.push(`**Answer ${status}.** ${stringAt(response.description)}`, '');
      for (const [header, definition] of Object.entries(answerHeaders)) {
        const described = objectAt(definition);
        if (typeof described.description === 'string') lines.push(`- \`${header}\`: ${described.description}`);
      }
      lines.push('');
    } else if (name === 'Connection') {
      lines.push(`**Answer ${status}**, JSON: ${typeOf(schema)}.`, '');
    } else {
      lines.push(`**Answer ${status}**, JSON: ${schemaBlock(document, name)}`, '');
    }
  }

  lines.push(`**Problems**, besides the ${link('protocol problems', PROTOCOL_SECTION)}:`, '', problemTable(responses));
  return lines.join('\n');
}

interface Operation {
  path: string;
  method: string;
  op: JsonObject;
}

/** Every operation, grouped by the document's tags in their order (reads, then the round trip). */
function operationList(document: OpenApiDocument): Operation[] {
  const list = Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));
  const tags = (Array.isArray(document.tags) ? document.tags : []).map((tag) => stringAt(objectAt(tag).name));
  const rank = ({ op }: Operation): number => {
    const tag = Array.isArray(op.tags) ? stringAt(op.tags[0]) : '';
    return tags.includes(tag) ? tags.indexOf(tag) : tags.length;
  };
  return list.map((operation, index) => ({ operation, index })).sort((a, b) => rank(a.operation) - rank(b.operation) || a.index - b.index).map(({ operation }) => operation);
}

function requestHeaderHeading(name: string): string {
  return `\`${name}\` (request)`;
}

function routeHeading({ path, method }: Operation): string {
  return `\`${method.toUpperCase()} ${path}\``;
}

function operations(document: OpenApiDocument): string {
  const list = operationList(document);
  const index = table(
    ['route', 'what it does'],
    list.map((operation) => [link(routeHeading(operation), routeHeading(operation)), stringAt(operation.op.summary)]),
  );
  return ['## Endpoints', index, ...list.map(({ path, method, op }) => operationSection(document, path, method, op))].join('\n\n');
}

function connectionUnion(document: OpenApiDocument): string {
  const schemas = document.components.schemas;
  const union = schemas.Connection ?? {};
  const mapping = objectAt(objectAt(union.discriminator).mapping);
  const variants = Object.entries(mapping).map(([status, ref]) => ({ status, schema: resolveRef(document, { $ref: ref }) }));
  // A field is common when every status describes it the same way; the rest is said per status.
  const sameEverywhere = (name: string): boolean =>
    variants.every(({ schema }) => JSON.stringify(objectAt(schema.properties)[name]) === JSON.stringify(objectAt(variants[0]?.schema.properties)[name]));

  const lines = [`## ${CONNECTION_SECTION}`, '', stringAt(union.description), ''];
  for (const { status, schema } of variants) {
    lines.push(`### \`${status}\``, '');
    for (const [name, property] of properties(schema)) {
      if (name === 'status' || sameEverywhere(name)) continue;
      const description = stringAt(property.description);
      const list = description.startsWith('- ');
      lines.push(`- \`${name}\` (${typeOf(property)}):${list ? '' : ` ${description}`}`);
      if (list) lines.push(...description.split('\n').map((line) => (line.startsWith('- ') ? `  ${line}` : `  - otherwise: ${line}`)));
    }
    lines.push('');
  }
  const first = variants[0]?.schema ?? {};
  lines.push('### Fields every status carries', '', fieldTable(first, (name) => name !== 'status' && sameEverywhere(name)), '');
  for (const name of CONNECTION_PARTS) lines.push(`### \`${name}\``, '', schemaBlock(document, name), '');
  return lines.join('\n').trimEnd();
}

function errors(document: OpenApiDocument): string {
  const schemas = document.components.schemas;
  // Each protocol refusal once, with the routes that answer it.
  const protocol = new Map<string, { row: ProblemRow; routes: string[] }>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(item)) {
      for (const row of problemRows(objectAt(op.responses))) {
        if (row.label === undefined) continue;
        const entry = protocol.get(row.label) ?? { row, routes: [] };
        entry.routes.push(`\`${method.toUpperCase()} ${path}\``);
        protocol.set(row.label, entry);
      }
    }
  }
  const all = Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `\`${method.toUpperCase()} ${path}\``));
  const writes = all.filter((route) => !route.startsWith('`GET '));
  const sameRoutes = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((route) => b.includes(route));
  const routesText = (routes: readonly string[]) =>
    sameRoutes(routes, all) ? 'every route' : sameRoutes(routes, writes) ? 'every write' : routes.join(', ');
  const fallback = objectAt(objectAt(document.components.responses).Problem);
  return [
    '## Errors',
    '',
    schemaBlock(document, 'Problem'),
    '',
    `**Any other status** (\`default\`): ${stringAt(fallback.description)}`,
    '',
    '### Error codes',
    '',
    stringAt(schemas.ErrorCode?.description),
    '',
    `### ${PROTOCOL_SECTION}`,
    '',
    'Refusals for how a route was called rather than what it does: all `VALIDATION_FAILED`, told apart by status.',
    '',
    table(
      ['problem', 'status', 'when', 'routes'],
      [...protocol.values()].map(({ row, routes }) => [labelText(row.label ?? ''), row.status, row.detail ?? '', routesText(routes)]),
    ),
  ].join('\n');
}

/** The whole sentences (up to and including `. `) every text opens with. */
function sharedSentences(texts: readonly string[]): string {
  const [first = '', ...rest] = texts;
  if (rest.length === 0) return '';
  let length = 0;
  while (length < first.length && rest.every((text) => text[length] === first[length])) length += 1;
  const end = first.lastIndexOf('. ', length - 2);
  return end === -1 ? '' : first.slice(0, end + 2);
}

function headersSection(document: OpenApiDocument): string {
  const components = document.components;
  // A header's name is where operations use it; the component's key is only an id.
  const names = new Map<string, string>();
  for (const item of Object.values(document.paths)) {
    for (const op of Object.values(item)) {
      for (const response of Object.values(objectAt(op.responses))) {
        for (const [name, header] of Object.entries(objectAt(objectAt(response).headers))) {
          const id = refName(objectAt(header));
          if (id !== undefined) names.set(id, name);
        }
      }
    }
  }
  const lines = [`## ${HEADERS_SECTION}`, ''];
  for (const [id, value] of Object.entries(objectAt(components.headers))) {
    const header = objectAt(value);
    lines.push(`### \`${names.get(id) ?? id}\` (response)`, '', stringAt(header.description), '');
  }
  for (const value of Object.values(objectAt(components.parameters))) {
    const parameter = objectAt(value);
    lines.push(`### ${requestHeaderHeading(stringAt(parameter.name))}`, '', stringAt(parameter.description), '');
  }
  // The schemes' descriptions open with the same sentences: say those once.
  const schemes = Object.entries(objectAt(components.securitySchemes)).map(([name, value]) => ({ name, description: stringAt(objectAt(value).description) }));
  const shared = sharedSentences(schemes.map(({ description }) => description));
  lines.push('### Authentication', '', ...(shared === '' ? [] : [shared.trim(), '']));
  for (const { name, description } of schemes) lines.push(`- \`${name}\`: ${description.slice(shared.length)}`);
  return lines.join('\n');
}

/** The generated part of docs/contract.md, without its markers. */
export function renderContractReference(document: OpenApiDocument = buildOpenApiDocument()): string {
  const text = [overview(document), operations(document), connectionUnion(document), errors(document), headersSection(document)].join('\n\n');
  // Trailing spaces (a header list with nothing in it) would be invisible churn in diffs.
  return `${text.replace(/[ \t]+$/gm, '')}\n`;
}

// ============================================================================================
// The file
// ============================================================================================

function markerPositions(doc: string): { start: number; end: number } {
  const start = doc.indexOf(GENERATED_START);
  const end = doc.indexOf(GENERATED_END);
  if (start === -1 || end === -1 || end < start) {
    throw new Error(`docs/contract.md must hold the markers\n${GENERATED_START}\n…\n${GENERATED_END}\non lines of their own`);
  }
  return { start: start + GENERATED_START.length, end };
}

/** The text between the markers, as the file holds it. */
export function generatedPartOf(doc: string): string {
  const { start, end } = markerPositions(doc);
  return doc.slice(start, end).replace(/^\n+/, '').replace(/\n+$/, '\n');
}

/** `doc` with the text between the markers replaced by `generated`. */
export function withGeneratedPart(doc: string, generated: string): string {
  const { start, end } = markerPositions(doc);
  return `${doc.slice(0, start)}\n\n${generated}\n${doc.slice(end)}`;
}

function main(): void {
  const before = readFileSync(CONTRACT_DOC_PATH, 'utf8');
  const after = withGeneratedPart(before, renderContractReference());
  writeFileSync(CONTRACT_DOC_PATH, after);
  const kB = (Buffer.byteLength(after) / 1000).toFixed(1);
  console.log(`${before === after ? 'Unchanged' : 'Wrote'} ${relative(process.cwd(), CONTRACT_DOC_PATH)} (${kB} kB)`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
