import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRegistry, startLocalRegistry } from './localRegistry.js';

const run = promisify(execFile);
const workspaceRoot = fileURLToPath(new URL('../../../', import.meta.url));
const bin = (name: string) => fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url));
const publishedPackages = [
  { name: '@org/ids', dir: 'packages/ids' },
  { name: '@org/db', dir: 'packages/db' },
] as const;

interface Manifest {
  name: string;
  version: string;
  exports: unknown;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

let registry: LocalRegistry;
let scratch: string;
const tarballs = new Map<string, { path: string; files: string[]; manifest: Manifest }>();

async function pack(dir: string, destination: string): Promise<string> {
  const before = new Set(await readdir(destination));
  // pnpm pack applies publishConfig and rewrites workspace: and catalog: ranges, exactly as publish does.
  await run('pnpm', ['pack', '--pack-destination', destination], { cwd: join(workspaceRoot, dir) });
  const created = (await readdir(destination)).filter((file) => !before.has(file) && file.endsWith('.tgz'));
  if (created.length !== 1) throw new Error(`expected one tarball from ${dir}, got ${created.join(', ')}`);
  return join(destination, created[0]!);
}

function exportTargets(exports: unknown): string[] {
  if (typeof exports === 'string') return [exports];
  if (exports === null || typeof exports !== 'object') return [];
  return Object.values(exports).flatMap(exportTargets);
}

function exportConditions(exports: unknown): string[] {
  if (exports === null || typeof exports !== 'object') return [];
  return Object.entries(exports).flatMap(([key, value]) => [key, ...exportConditions(value)]);
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'org-release-'));
  registry = await startLocalRegistry(bin('verdaccio'));
  const packs = join(scratch, 'packs');
  await mkdir(packs);
  for (const { name, dir } of publishedPackages) {
    const path = await pack(dir, packs);
    const { stdout: listing } = await run('tar', ['-tzf', path]);
    const { stdout: manifestText } = await run('tar', ['-xzOf', path, 'package/package.json']);
    tarballs.set(name, {
      path,
      files: listing.split('\n').filter(Boolean),
      manifest: JSON.parse(manifestText) as Manifest,
    });
    await run('npm', ['publish', path, '--userconfig', registry.npmrc, '--registry', registry.url]);
  }
}, 180_000);

afterAll(async () => {
  await registry?.stop();
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

describe.each(publishedPackages)('the published $name tarball', ({ name }) => {
  it('holds only the build output, the manifest and the docs', () => {
    const { files } = tarballs.get(name)!;
    const outside = files.filter(
      (file) => !/^package\/(dist\/.+|package\.json|README\.md|LICENSE|CHANGELOG\.md)$/.test(file),
    );
    expect(outside).toEqual([]);
    expect(files.some((file) => file.startsWith('package/dist/') && file.endsWith('.d.ts'))).toBe(true);
  });

  it('exports only files that are in the tarball, and no workspace source condition', () => {
    const { files, manifest } = tarballs.get(name)!;
    expect(exportConditions(manifest.exports)).not.toContain('@org/source');
    for (const target of exportTargets(manifest.exports)) {
      expect(files, `export target ${target}`).toContain(`package/${target.replace(/^\.\//, '')}`);
    }
  });

  it('depends on published versions, never on workspace: or catalog: ranges', () => {
    const { manifest } = tarballs.get(name)!;
    const ranges = Object.values({ ...manifest.dependencies, ...manifest.peerDependencies });
    expect(ranges.filter((range) => /^(workspace|catalog):/.test(range))).toEqual([]);
  });

  it('is served by the registry', async () => {
    const response = await fetch(`${registry.url}${name.replace('/', '%2f')}`);
    expect(response.status).toBe(200);
    const packument = (await response.json()) as { versions: Record<string, unknown> };
    expect(Object.keys(packument.versions)).toContain(tarballs.get(name)!.manifest.version);
  });
});

describe('a fresh project outside the workspace', () => {
  let project: string;

  beforeAll(async () => {
    project = join(scratch, 'consumer');
    await mkdir(project);
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2),
    );
    await run('npm', ['install', '@org/ids', '--userconfig', registry.npmrc, '--registry', registry.url], {
      cwd: project,
    });
  }, 180_000);

  it('imports @org/ids under Node and uses it', async () => {
    const script = [
      "import { uuidv6, parseUuidV6, uuidV6Date, slug, isSlug, UuidV6Schema } from '@org/ids';",
      'const id = uuidv6();',
      'console.log(JSON.stringify({',
      '  id, roundTrip: parseUuidV6(id.toUpperCase()) === id,',
      '  age: Date.now() - uuidV6Date(id).getTime(),',
      '  slug: isSlug(slug()), schema: UuidV6Schema.safeParse(id).success,',
      '}));',
    ].join('\n');
    await writeFile(join(project, 'check.mjs'), script);
    const { stdout } = await run(process.execPath, ['check.mjs'], { cwd: project });
    const result = JSON.parse(stdout) as { id: string; roundTrip: boolean; age: number; slug: boolean };
    expect(result.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-6[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(result).toMatchObject({ roundTrip: true, slug: true, schema: true });
    expect(result.age).toBeGreaterThanOrEqual(0);
    expect(result.age).toBeLessThan(60_000);
  });

  it.each([
    { resolution: 'nodenext', compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' } },
    { resolution: 'bundler', compilerOptions: { module: 'esnext', moduleResolution: 'bundler' } },
  ])(
    'type-checks under $resolution resolution, branded ids included',
    async ({ resolution, compilerOptions }) => {
      const dir = join(project, `ts-${resolution}`);
      await mkdir(dir);
      await writeFile(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: { ...compilerOptions, target: 'es2022', strict: true, noEmit: true, types: [] },
          include: ['*.ts'],
        }),
      );
      await writeFile(
        join(dir, 'use.ts'),
        [
          "import { defineIdKind, uuidv6, type IdOf, type SlugOf, type UuidV6 } from '@org/ids';",
          "const Users = defineIdKind('User');",
          'type UserId = IdOf<typeof Users>;',
          'type UserSlug = SlugOf<typeof Users>;',
          'const id: UserId = Users.newId();',
          'const plain: UuidV6 = uuidv6();',
          'const userSlug: UserSlug = Users.newSlug();',
          '// @ts-expect-error a slug is not a user id',
          'const wrong: UserId = userSlug;',
          '// @ts-expect-error a number is not a user id',
          'const legacy: UserId = 123;',
          'export { id, plain, wrong, legacy };',
          '',
        ].join('\n'),
      );
      const { stdout, stderr } = await run(bin('tsc'), ['-p', dir]).catch(
        (error: { stdout: string; stderr: string }) => {
          throw new Error(`tsc failed under ${resolution}:\n${error.stdout}${error.stderr}`);
        },
      );
      expect(`${stdout}${stderr}`).toBe('');
    },
  );
});
