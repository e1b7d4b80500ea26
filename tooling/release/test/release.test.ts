import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRegistry, startLocalRegistry } from './localRegistry.js';
import { copyWorkspace, readJson, runIn, type WorkspacePackage, workspacePackages } from './workspaceCopy.js';

/*
 * The release flow a maintainer runs, end to end, in a throwaway copy of the repository whose registry is a
 * throwaway Verdaccio: a changeset for @org/ids -> `pnpm version-packages` -> `pnpm release` (turbo build lint,
 * changeset publish) -> a project outside the workspace installs the new version and type-checks it.
 */
const workspaceRoot = fileURLToPath(new URL('../../../', import.meta.url));
const bin = (name: string) => fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url));
/** Cloning, installing, building, linting and publishing; minutes under a loaded CI, not seconds. */
const FLOW_TIMEOUT_MS = 300_000;

interface Manifest {
  name: string;
  version: string;
  exports: unknown;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

interface Packument {
  'dist-tags': Record<string, string>;
  versions: Record<string, Manifest & { dist: { tarball: string } }>;
}

let registry: LocalRegistry;
let scratch: string;
let repo: string;
const changesetSummary = `Release check ${randomUUID()}.`;
const realIdsVersionBefore = (await readJson<Manifest>(join(workspaceRoot, 'packages/ids/package.json')))
  .version;
let idsBefore: string;
let packagesAfter: WorkspacePackage[];
let idsChangelog: string;
let changesetsLeft: string[];
let tagsCreated: string[];
const published = new Map<string, { packument: Packument; files: string[]; manifest: Manifest }>();
const privateAnswers = new Map<string, number>();

function versionOf(name: string): string {
  const found = packagesAfter.find((pkg) => pkg.name === name);
  if (found?.version === undefined) throw new Error(`no version for ${name}`);
  return found.version;
}

/** Compares x.y.z versions (the workspace has no pre-releases). */
function compareVersions(a: string, b: string): number {
  const [pa, pb] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i++) if (pa![i] !== pb![i]) return pa![i]! - pb![i]!;
  return 0;
}

async function packumentOf(name: string): Promise<{ status: number; body: Packument | undefined }> {
  const response = await fetch(`${registry.url}${name.replace('/', '%2f')}`);
  return { status: response.status, body: response.ok ? ((await response.json()) as Packument) : undefined };
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'org-release-'));
  repo = join(scratch, 'repo');
  [registry] = await Promise.all([startLocalRegistry(bin('verdaccio')), copyWorkspace(workspaceRoot, repo)]);
  // The copy publishes to the throwaway registry: its own .npmrc, nothing inherited (see copyEnv).
  await appendFile(join(repo, '.npmrc'), `\n${await readFile(registry.npmrc, 'utf8')}`);
  idsBefore = (await readJson<Manifest>(join(repo, 'packages/ids/package.json'))).version;

  await writeFile(
    join(repo, '.changeset', 'release-check.md'),
    `---\n"@org/ids": patch\n---\n\n${changesetSummary}\n`,
  );
  await runIn(repo, 'pnpm', ['version-packages']);
  packagesAfter = await workspacePackages(repo);
  idsChangelog = await readFile(join(repo, 'packages/ids/CHANGELOG.md'), 'utf8');
  changesetsLeft = (await readdir(join(repo, '.changeset'))).filter((file) => file.endsWith('.md'));

  const tagsAt = async () =>
    (await runIn(repo, 'git', ['tag', '--points-at', 'HEAD'])).split('\n').filter(Boolean);
  const tagsBefore = new Set(await tagsAt());
  await runIn(repo, 'pnpm', ['release']);
  tagsCreated = (await tagsAt()).filter((tag) => !tagsBefore.has(tag)).sort();

  const tarballs = join(scratch, 'tarballs');
  await mkdir(tarballs);
  for (const pkg of packagesAfter) {
    const { status, body } = await packumentOf(pkg.name);
    if (pkg.private) {
      privateAnswers.set(pkg.name, status);
      continue;
    }
    if (body === undefined) continue;
    const version = body.versions[pkg.version ?? ''];
    if (version === undefined) continue;
    const path = join(tarballs, `${pkg.name.replace('/', '-')}.tgz`);
    await writeFile(path, new Uint8Array(await (await fetch(version.dist.tarball)).arrayBuffer()));
    const listing = await runIn(scratch, 'tar', ['-tzf', path]);
    const manifestText = await runIn(scratch, 'tar', ['-xzOf', path, 'package/package.json']);
    published.set(pkg.name, {
      packument: body,
      files: listing.split('\n').filter(Boolean),
      manifest: JSON.parse(manifestText) as Manifest,
    });
  }
}, FLOW_TIMEOUT_MS);

afterAll(async () => {
  await registry?.stop();
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

describe('pnpm version-packages (changeset version)', () => {
  it('bumps @org/ids by at least the patch of the new changeset', () => {
    expect(compareVersions(versionOf('@org/ids'), idsBefore)).toBeGreaterThan(0);
  });

  it("writes the changeset's summary under the new version's heading of the CHANGELOG", () => {
    const sections = idsChangelog.split(/^## /m).slice(1);
    expect(sections[0]?.split('\n')[0]).toBe(versionOf('@org/ids'));
    expect(sections[0]).toContain(changesetSummary);
  });

  it('consumes every changeset', () => {
    expect(changesetsLeft.filter((file) => file !== 'README.md')).toEqual([]);
  });

  it('leaves the real working tree alone', async () => {
    const real = await readJson<Manifest>(join(workspaceRoot, 'packages/ids/package.json'));
    expect(real.version).toBe(realIdsVersionBefore);
    expect(await readdir(join(workspaceRoot, '.changeset'))).not.toContain('release-check.md');
  });
});

describe('pnpm release (turbo build lint, changeset publish)', () => {
  it('publishes exactly the packages that are not private, each at its new version, tagged', () => {
    const publicNames = packagesAfter.filter((pkg) => !pkg.private).map((pkg) => pkg.name);
    expect(publicNames).toEqual(['@org/db', '@org/ids']);
    expect([...published.keys()].sort()).toEqual(publicNames);
    for (const name of publicNames) {
      expect(published.get(name)!.packument['dist-tags'].latest, name).toBe(versionOf(name));
    }
    expect(tagsCreated).toEqual(publicNames.map((name) => `${name}@${versionOf(name)}`));
  });

  it('publishes no private package: the registry knows none of them', () => {
    const privateNames = packagesAfter.filter((pkg) => pkg.private).map((pkg) => pkg.name);
    expect(privateNames).toEqual(
      expect.arrayContaining([
        '@org/api',
        '@org/cli',
        '@org/demo',
        '@org/jobs',
        '@org/sessions',
        '@org/worker',
      ]),
    );
    expect(privateNames).toEqual(expect.arrayContaining(['@org/release-check']));
    expect(Object.fromEntries(privateAnswers)).toEqual(
      Object.fromEntries(privateNames.map((name) => [name, 404])),
    );
  });

  it('publishes @org/db depending on the @org/ids version released with it (no workspace: range)', () => {
    expect(published.get('@org/db')!.manifest.dependencies?.['@org/ids']).toBe(versionOf('@org/ids'));
  });

  describe.each(['@org/db', '@org/ids'])('the published %s tarball', (name) => {
    it('holds only the build output, the manifest and the docs, the changelog of this release included', () => {
      const { files } = published.get(name)!;
      expect(files).toContain('package/CHANGELOG.md');
      const outside = files.filter(
        (file) => !/^package\/(dist\/.+|package\.json|README\.md|LICENSE|CHANGELOG\.md)$/.test(file),
      );
      expect(outside).toEqual([]);
      expect(files.some((file) => file.startsWith('package/dist/') && file.endsWith('.d.ts'))).toBe(true);
    });

    it('exports only files that are in the tarball, and no workspace source condition', () => {
      const { files, manifest } = published.get(name)!;
      expect(exportConditions(manifest.exports)).not.toContain('@org/source');
      const targets = exportTargets(manifest.exports);
      expect(targets.length).toBeGreaterThan(0);
      for (const target of targets) {
        expect(files, `export target ${target}`).toContain(`package/${target.replace(/^\.\//, '')}`);
      }
    });

    it('depends on published versions, never on workspace: or catalog: ranges', () => {
      const { manifest } = published.get(name)!;
      const ranges = Object.values({ ...manifest.dependencies, ...manifest.peerDependencies });
      expect(ranges.filter((range) => /^(workspace|catalog):/.test(range))).toEqual([]);
    });
  });
});

describe('a project outside the workspace, installing the new @org/ids from the registry', () => {
  let project: string;

  beforeAll(async () => {
    project = join(scratch, 'consumer');
    await mkdir(project);
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2),
    );
    await runIn(
      project,
      'npm',
      [
        'install',
        `@org/ids@${versionOf('@org/ids')}`,
        '--userconfig',
        registry.npmrc,
        '--registry',
        registry.url,
      ],
      process.env,
    );
  }, FLOW_TIMEOUT_MS);

  it('gets the version just released', async () => {
    const installed = await readJson<Manifest>(join(project, 'node_modules/@org/ids/package.json'));
    expect(installed.version).toBe(versionOf('@org/ids'));
  });

  it('imports it under Node and uses it', async () => {
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
    const stdout = await runIn(project, process.execPath, ['check.mjs'], process.env);
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
      expect(await runIn(dir, bin('tsc'), ['-p', dir], process.env)).toBe('');
    },
  );
});

function exportTargets(exports: unknown): string[] {
  if (typeof exports === 'string') return [exports];
  if (exports === null || typeof exports !== 'object') return [];
  return Object.values(exports).flatMap(exportTargets);
}

function exportConditions(exports: unknown): string[] {
  if (exports === null || typeof exports !== 'object') return [];
  return Object.entries(exports).flatMap(([key, value]) => [key, ...exportConditions(value)]);
}
