// The Lambda artifact's zip, byte for byte a function of the files' names and contents:
// Lambda's source_code_hash (and the cdktf asset folder named after it) then change only
// when the code does.
import { createWriteStream, readFileSync } from 'node:fs';
import type { Archiver, CoreOptions, ZipOptions } from 'archiver';

// archiver 7 exports a function; @types/archiver 8 describes archiver 8's classes.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const archiver = require('archiver') as (format: 'zip', options?: CoreOptions & ZipOptions) => Archiver;

/** The timestamp of every entry, so the zip does not depend on when it was built. */
export const ZIP_EPOCH = new Date('2020-01-01T00:00:00Z');

/** One file of a {@link writeReproducibleZip}: its name in the zip and where it is on disk. */
export interface ZipEntry {
  readonly name: string;
  readonly path: string;
}

/**
 * Writes `entries` to `zipPath` sorted by name, each with {@link ZIP_EPOCH} and mode
 * 0644. Contents are read here and appended as buffers: archiver's `file()` stats its
 * files concurrently and adds each when its stat returns, so the order of the entries
 * (and so the zip's bytes) changed from one build to the next (measured: orders-api's
 * `index.js` and `index.js.map` swapped places in one build of four).
 */
export async function writeReproducibleZip(zipPath: string, entries: readonly ZipEntry[]): Promise<void> {
  const names = entries.map((e) => e.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) throw new Error(`${zipPath}: the entry "${duplicate}" is given twice; each name in a zip must be unique`);
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  await new Promise<void>((ok, fail) => {
    const out = createWriteStream(zipPath);
    const zip = archiver('zip', { zlib: { level: 9 } });
    out.on('close', ok);
    out.on('error', fail);
    zip.on('error', fail);
    zip.pipe(out);
    for (const entry of sorted) zip.append(readFileSync(entry.path), { name: entry.name, date: ZIP_EPOCH, mode: 0o644 });
    void zip.finalize();
  });
}
