/**
 * Adds `services.<name>` to the text of a platform config without reformatting the
 * rest of it: the entry goes after the last service, indented like the file.
 * Throws when the text has no top-level `services` object.
 */
export function insertServiceEntry(text: string, name: string, entry: unknown): string {
  const span = topLevelObjectSpan(text, 'services');
  if (!span) throw new Error('the config has no top-level "services" object');
  const unit = /\n([ \t]+)"/.exec(text)?.[1] ?? '  ';
  const lineStart = text.lastIndexOf('\n', span.keyIndex) + 1;
  const indent = text.slice(lineStart, span.keyIndex);
  const inner = indent + unit;
  const body = JSON.stringify(entry, null, unit).split('\n').join(`\n${inner}`);
  const member = `${inner}${JSON.stringify(name)}: ${body}`;
  const between = text.slice(span.open + 1, span.close);
  if (between.trim() === '') return `${text.slice(0, span.open + 1)}\n${member}\n${indent}${text.slice(span.close)}`;
  let last = span.close - 1;
  while (/\s/.test(text[last])) last--;
  return `${text.slice(0, last + 1)},\n${member}${text.slice(last + 1)}`;
}

/**
 * Removes `services.<name>` from the text of a platform config without reformatting the
 * rest of it (the member, its comma and its lines go). Throws when there is no such entry.
 */
export function removeServiceEntry(text: string, name: string): string {
  const span = topLevelObjectSpan(text, 'services');
  if (!span) throw new Error('the config has no top-level "services" object');
  const members = objectMembers(text, span.open, span.close);
  const index = members.findIndex((m) => m.key === name);
  if (index < 0) throw new Error(`the config has no services.${name}`);
  const member = members[index];
  // From the end of the previous member (or the opening brace) to the end of this one:
  // the comma before it, its indentation and its lines go; a first member takes the comma after it instead.
  if (index > 0) return text.slice(0, members[index - 1].end) + text.slice(member.end);
  const next = members[index + 1];
  if (!next) return `${text.slice(0, span.open + 1)}${text.slice(span.close)}`;
  const ownLines = lineStart(text, member.start) > span.open && lineStart(text, next.start) > member.end;
  return ownLines ? text.slice(0, lineStart(text, member.start)) + text.slice(lineStart(text, next.start)) : text.slice(0, member.start) + text.slice(next.start);
}

/** The members of the object whose braces are at `open` and `close`: each key, where it starts and where its value ends. */
function objectMembers(text: string, open: number, close: number): { key: string; start: number; end: number }[] {
  const members: { key: string; start: number; end: number }[] = [];
  let i = open + 1;
  while (i < close) {
    while (i < close && /[\s,]/.test(text[i])) i++;
    if (i >= close) break;
    const start = i;
    const keyEnd = stringEnd(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = keyEnd;
    while (text[i] !== ':') i++;
    i = valueEnd(text, i + 1);
    members.push({ key, start, end: i });
  }
  return members;
}

/** The index after the JSON string starting at `i`. */
function stringEnd(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
  return j + 1;
}

/** The index after the JSON value starting at or after `i`. */
function valueEnd(text: string, i: number): number {
  while (/\s/.test(text[i])) i++;
  if (text[i] === '"') return stringEnd(text, i);
  if (text[i] !== '{' && text[i] !== '[') {
    while (i < text.length && !/[\s,}\]]/.test(text[i])) i++;
    return i;
  }
  let depth = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i = stringEnd(text, i);
      continue;
    }
    if (c === '{' || c === '[') depth++;
    if (c === '}' || c === ']') depth--;
    i++;
    if (depth === 0) return i;
  }
  return i;
}

function lineStart(text: string, i: number): number {
  return text.lastIndexOf('\n', i - 1) + 1;
}

/** Where the object value of a top-level key starts and ends (indices of its braces). */
function topLevelObjectSpan(text: string, key: string): { keyIndex: number; open: number; close: number } | undefined {
  let depth = 0;
  let i = 0;
  let pendingKey: { name: string; index: number } | undefined;
  let target: { keyIndex: number; open: number; depth: number } | undefined;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      const start = i;
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      const value = JSON.parse(text.slice(start, i + 1)) as string;
      // A string at depth 1 followed by ':' is a top-level key.
      let j = i + 1;
      while (/\s/.test(text[j] ?? '')) j++;
      pendingKey = depth === 1 && text[j] === ':' ? { name: value, index: start } : undefined;
    } else if (c === '{' || c === '[') {
      depth++;
      if (c === '{' && !target && pendingKey?.name === key && depth === 2) target = { keyIndex: pendingKey.index, open: i, depth };
      pendingKey = c === '{' ? pendingKey : undefined;
    } else if (c === '}' || c === ']') {
      if (target && depth === target.depth && c === '}') return { keyIndex: target.keyIndex, open: target.open, close: i };
      depth--;
    }
    i++;
  }
  return undefined;
}
