import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { writeReproducibleZip } from './reproducible-zip';

describe('writeReproducibleZip', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'reproducible-zip-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes the bundle files into a fresh folder in `order`, each with its own mtime. */
  function bundle(folder: string, order: readonly string[]): string {
    const at = path.join(dir, folder);
    const contents: Record<string, string> = {
      'index.js': 'exports.handler = async () => 1;\n'.repeat(2000),
      // The big file: its stat and read take longest, as the source map's do.
      'index.js.map': JSON.stringify({ version: 3, mappings: 'AAAA;'.repeat(200_000) }),
      'README.txt': 'a third file\n',
    };
    for (const [i, name] of order.entries()) {
      writeFileSync(path.join(at + '-' + name), contents[name]);
      utimesSync(path.join(at + '-' + name), 1_000_000 + i * 7 + folder.length, 1_000_000 + i * 13 + folder.length);
    }
    return at;
  }

  it('given the same files listed and written in different orders with different mtimes, when zipped twice, then the zips are byte-identical', async () => {
    const a = bundle('a', ['index.js', 'index.js.map', 'README.txt']);
    const b = bundle('bb', ['README.txt', 'index.js.map', 'index.js']);
    await writeReproducibleZip(path.join(dir, 'a.zip'), ['index.js', 'index.js.map', 'README.txt'].map((name) => ({ name, path: `${a}-${name}` })));
    await writeReproducibleZip(path.join(dir, 'b.zip'), ['README.txt', 'index.js.map', 'index.js'].map((name) => ({ name, path: `${b}-${name}` })));

    expect(readFileSync(path.join(dir, 'b.zip')).equals(readFileSync(path.join(dir, 'a.zip')))).toBe(true);
  });

  it('given the same name twice, when zipped, then it fails naming the entry', async () => {
    const a = bundle('a', ['index.js']);
    await expect(
      writeReproducibleZip(path.join(dir, 'dup.zip'), [
        { name: 'index.js', path: `${a}-index.js` },
        { name: 'index.js', path: `${a}-index.js` },
      ]),
    ).rejects.toThrow('the entry "index.js" is given twice');
  });
});
