// apps/catalog-api is the generator's output, committed: the example of what
// `nx g @platform/nx-plugin:service` makes. Regenerating it must give the committed
// files byte for byte, so the templates and the example cannot drift apart: a change to
// one is a change to both (regenerate catalog and commit it with the template change).
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { platformFixture } from '@platform/config/testing';
import { serviceGenerator } from './generator';

const ROOT = join(__dirname, '..', '..', '..', '..', '..', '..');

function committedFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(ROOT, join(e.parentPath, e.name)))
    .sort();
}

describe('apps/catalog-api', () => {
  it('is exactly what the service generator makes for catalog: same files, same bytes', async () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('tsconfig.base.json', `${JSON.stringify({ compilerOptions: { paths: {} } }, null, 2)}\n`);
    const config = platformFixture() as { services: Record<string, unknown> };
    delete config.services.catalog;
    tree.write('config/platform.json', `${JSON.stringify(config, null, 2)}\n`);
    for (const service of Object.keys(config.services)) tree.write(`apps/${service}-api/project.json`, '{}');

    const owners = (JSON.parse(readFileSync(join(ROOT, 'config', 'platform.json'), 'utf8')) as { services: { catalog: { owners: string[] } } }).services.catalog.owners;
    await serviceGenerator(tree, { name: 'catalog', owners: owners.join(', ') });

    const generated = tree.listChanges().filter((c) => c.path.startsWith('apps/catalog-api/')).map((c) => c.path).sort();
    expect(generated).toEqual(committedFiles('apps/catalog-api'));
    for (const file of generated) expect([file, tree.read(file, 'utf-8')]).toEqual([file, readFileSync(join(ROOT, file), 'utf8')]);
  });
});
