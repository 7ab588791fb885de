import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, type ConfigProblem, formatPath } from './config-error';
import { findDuplicateKeys } from './duplicate-keys';
import { jsonSyntaxProblem } from './format';
import { type Platform, parsePlatform } from './parse';

/** The repository's example platform config. */
export const DEFAULT_CONFIG_PATH = 'config/platform.json';

/**
 * Reads, parses and validates a platform config file. Throws ConfigError: for a file
 * that cannot be read, is not JSON, repeats a key in an object, or is not a valid config.
 */
export function loadPlatform(file: string = DEFAULT_CONFIG_PATH): Platform {
  const source = path.relative(process.cwd(), path.resolve(file)) || file;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    throw new ConfigError(source, [{ path: '', message: `cannot read the config: ${reason}` }]);
  }
  return parsePlatformJson(text, source);
}

/**
 * Parses and validates the text of a platform config (a file's content, or a version
 * of it from git): JSON syntax, keys repeated in an object, then everything
 * {@link parsePlatform} checks. Throws ConfigError naming `source`.
 */
export function parsePlatformJson(text: string, source: string): Platform {
  // A UTF-8 byte-order mark (what some Windows editors write first) carries no content;
  // JSON.parse rejects it with an error about an invisible character, so it is dropped.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(source, [jsonSyntaxProblem(text, err as Error)]);
  }
  const duplicates = duplicateKeyProblems(text);
  if (duplicates.length > 0) throw new ConfigError(source, duplicates);
  return parsePlatform(raw, source);
}

function duplicateKeyProblems(text: string): ConfigProblem[] {
  return findDuplicateKeys(text).map((d) => ({
    path: formatPath(d.path),
    message: `duplicate key ${JSON.stringify(d.path[d.path.length - 1])} at line ${d.line}, column ${d.column} (first at line ${d.firstLine}); JSON keeps only the last one, so merge or rename them`,
  }));
}
