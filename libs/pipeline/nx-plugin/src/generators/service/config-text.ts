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
