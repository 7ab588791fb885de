// JSON.parse keeps the last of two equal keys in an object without a word, so a
// service or an environment written twice silently loses the first (and, say, its
// account id). This scanner finds such keys in text JSON.parse has already accepted.
//
// Why a scanner of our own rather than a library: the text is known to be valid JSON
// by the time it runs, so it needs no error handling and fits in a few dozen lines;
// jsonc-parser (the best-kept candidate) is only a transitive dependency here, adding
// it would touch package.json and the lock file for every consumer of the config
// (synth, Nx plugin, bootstrap, dev), and it accepts comments and trailing commas,
// so JSON.parse would still be needed for the strict syntax check.
import { lineAndColumn } from './format';

/** A key written more than once in the same JSON object. */
export interface DuplicateKey {
  /** Path of the repeated key, the key last: `['services', 'items']`. */
  readonly path: readonly (string | number)[];
  /** Line and column (1-based) of the repeated occurrence. */
  readonly line: number;
  readonly column: number;
  /** Line of the first occurrence. */
  readonly firstLine: number;
}

/**
 * Every key repeated in the same object, at any depth (objects inside arrays too), in
 * document order. `text` must be valid JSON (JSON.parse accepted it).
 */
export function findDuplicateKeys(text: string): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  let i = 0;

  const skipWhitespace = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const readString = (): string => {
    const start = i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const readValue = (path: readonly (string | number)[]): void => {
    skipWhitespace();
    if (text[i] === '{') readObject(path);
    else if (text[i] === '[') readArray(path);
    else if (text[i] === '"') readString();
    else while (i < text.length && !',]} \t\n\r'.includes(text[i])) i++; // number, true, false, null
  };
  const readObject = (path: readonly (string | number)[]): void => {
    i++;
    skipWhitespace();
    if (text[i] === '}') {
      i++;
      return;
    }
    const firstAt = new Map<string, number>();
    for (;;) {
      skipWhitespace();
      const at = i;
      const key = readString();
      const first = firstAt.get(key);
      if (first === undefined) {
        firstAt.set(key, at);
      } else {
        const { line, column } = lineAndColumn(text, at);
        found.push({ path: [...path, key], line, column, firstLine: lineAndColumn(text, first).line });
      }
      skipWhitespace();
      i++; // ':'
      readValue([...path, key]);
      skipWhitespace();
      if (text[i++] === '}') return; // else ','
    }
  };
  const readArray = (path: readonly (string | number)[]): void => {
    i++;
    skipWhitespace();
    if (text[i] === ']') {
      i++;
      return;
    }
    for (let index = 0; ; index++) {
      readValue([...path, index]);
      skipWhitespace();
      if (text[i++] === ']') return; // else ','
    }
  };

  readValue([]);
  return found;
}
