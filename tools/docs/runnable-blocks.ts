/** The marker, alone on the line before a ```sh block, that makes the block run in the docs test. */
export const RUNS_IN_TEST = '<!-- runs-in-test -->';

/** A shell block of a doc that the docs test runs, with the output the doc shows after it. */
export interface RunnableBlock {
  readonly file: string;
  /** Line of the opening fence. */
  readonly line: number;
  readonly script: string;
  /** The next fenced block when it is ```http (the output shown); undefined when none is shown. */
  readonly shownOutput?: string;
}

interface Fence {
  readonly line: number;
  readonly lang: string;
  readonly body: string;
  readonly marked: boolean;
}

function fences(text: string): Fence[] {
  const lines = text.split('\n');
  const found: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i]!.match(/^```(\S*)\s*$/);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    let before = start - 1;
    while (before >= 0 && lines[before]!.trim() === '') before--;
    found.push({ line: start + 1, lang: open[1]!, body: body.join('\n'), marked: before >= 0 && lines[before]!.trim() === RUNS_IN_TEST });
  }
  return found;
}

/**
 * The blocks of a Markdown text marked {@link RUNS_IN_TEST}: each must be a ```sh block;
 * the fenced block right after it, when it is ```http, is the output the doc shows.
 * A marked block of another language is an error (the marker would do nothing).
 */
export function runnableBlocks(file: string, text: string): RunnableBlock[] {
  const all = fences(text);
  return all.flatMap((fence, i) => {
    if (!fence.marked) return [];
    if (fence.lang !== 'sh') throw new Error(`${file}:${fence.line}: ${RUNS_IN_TEST} marks a \`\`\`${fence.lang} block; it must mark a \`\`\`sh block`);
    const next = all[i + 1];
    return [{ file, line: fence.line, script: fence.body, shownOutput: next && !next.marked && next.lang === 'http' ? next.body : undefined }];
  });
}

/** One HTTP response as `curl -si` prints it. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string;
}

/** The responses in `curl -si` output (or in a doc's ```http block): a status line, headers, a blank line, the body. */
export function parseResponses(output: string): HttpResponse[] {
  const text = output.replace(/\r\n/g, '\n');
  const starts = [...text.matchAll(/^HTTP\/[\d.]+ (\d{3})[^\n]*$/gm)];
  return starts.map((start, i) => {
    const chunk = text.slice(start.index!, i + 1 < starts.length ? starts[i + 1]!.index : undefined);
    const [head, ...rest] = chunk.split('\n\n');
    const headers = new Map<string, string>();
    for (const line of head!.split('\n').slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    return { status: Number(start[1]), headers, body: rest.join('\n\n').trim() };
  });
}

/** The shape of a JSON value: its keys, recursively (arrays by their first element); scalars by type. */
export function jsonShape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length ? [jsonShape(value[0])] : [];
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, jsonShape((value as Record<string, unknown>)[k])]));
  }
  return value === null ? 'null' : typeof value;
}

/**
 * What differs between the output a doc shows and the output a command printed: the
 * number of responses, each status, each header the doc shows (its value too, unless the
 * doc writes `...` in it), and the JSON shape of each body the doc shows. Empty when they agree.
 */
export function compareShownOutput(shown: string, actual: string): string[] {
  const expected = parseResponses(shown);
  const got = parseResponses(actual);
  if (expected.length !== got.length) return [`${expected.length} response(s) shown, ${got.length} printed:\n${actual}`];
  const problems: string[] = [];
  expected.forEach((want, i) => {
    const have = got[i]!;
    const at = expected.length > 1 ? `response ${i + 1}: ` : '';
    if (want.status !== have.status) problems.push(`${at}status ${want.status} shown, ${have.status} printed (body: ${have.body.slice(0, 200)})`);
    for (const [name, value] of want.headers) {
      const actualValue = have.headers.get(name);
      if (actualValue === undefined) problems.push(`${at}header ${name} shown, not printed`);
      else if (!value.includes('...') && value !== actualValue) problems.push(`${at}header ${name}: ${value} shown, ${actualValue} printed`);
    }
    if (want.body) {
      try {
        const a = JSON.stringify(jsonShape(JSON.parse(want.body)));
        const b = JSON.stringify(jsonShape(JSON.parse(have.body)));
        if (a !== b) problems.push(`${at}JSON shape differs: shown ${a}, printed ${b}`);
      } catch (err) {
        problems.push(`${at}body is not JSON (${(err as Error).message}): ${have.body.slice(0, 200)}`);
      }
    }
  });
  return problems;
}
