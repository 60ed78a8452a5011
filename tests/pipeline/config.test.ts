import assert from 'node:assert/strict';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, test } from 'node:test';
import { CliError } from '../../src/core/errors.ts';
import { checkDistinctPipelines, loadPipeline } from '../../src/pipeline/config.ts';
import { ROOT } from '../helpers/cli.ts';

async function load(yaml: string): Promise<unknown> {
  const dir = await mkdtemp(join(tmpdir(), 'zhengce-config-'));
  const file = join(dir, 'p.yaml');
  await writeFile(file, yaml);
  return loadPipeline(file, dir);
}

async function rejects(yaml: string, ...expected: RegExp[]): Promise<void> {
  await assert.rejects(load(yaml), (err: Error) => {
    assert.ok(err instanceof CliError);
    assert.match(err.message, /p\.yaml/, 'the error names the file');
    for (const e of expected) assert.match(err.message, e);
    return true;
  });
}

test('the bundled sample pipeline loads by id', async () => {
  const p = await loadPipeline('sample', ROOT);
  assert.equal(p.config.id, 'sample');
  assert.equal(p.config.source.type, 'dir');
  assert.equal(p.outputDir, join(ROOT, 'output', 'sample'));
});

test('the README example pipeline is valid (its api/raw lines are the defaults; nothing is fetched here)', async () => {
  const p = (await load(`id: finews-gov
title: 中国政府网新闻 reform plans
schedule: "*/30 * * * *"
timezone: Asia/Shanghai
source:
  type: github
  repo: zning1994/finews
  branch: main
  path: _posts
filter:
  categories: [zhongguozhengfuwang]
publish:
  dir: output/finews-gov
  formats: [csv, parquet]
`)) as Awaited<ReturnType<typeof loadPipeline>>;
  assert.equal(p.config.source.type, 'github');
  assert.deepEqual(p.config.filter.categories, ['zhongguozhengfuwang']);
});

test('an unknown key is named with where it is', () => rejects('id: a\nsource: {type: dir, path: x, colour: red}\n', /unknown key "colour" at source/));

test('a wrong type names the key and what is allowed', () => rejects('id: a\nsource: {type: dir, path: x}\npublish: {formats: [csv, xlsx]}\n', /publish\.formats\.1/, /csv|parquet|arrow/));

test('a bad cron string is refused with an example of a good one', () => rejects('id: a\nschedule: every day\nsource: {type: dir, path: x}\n', /schedule: not a valid cron expression/));

test('an id that is not kebab-case is refused', () => rejects('id: Finews_Gov\nsource: {type: dir, path: x}\n', /id: kebab-case/));

test('an id longer than 64 characters is refused at load, before it names a folder', async () => {
  await rejects(`id: ${'a'.repeat(260)}\nsource: {type: dir, path: x}\n`, /id: at most 64 characters/);
  const p = (await load(`id: ${'a'.repeat(64)}\nsource: {type: dir, path: x}\n`)) as Awaited<ReturnType<typeof loadPipeline>>;
  assert.equal(p.config.id.length, 64);
});

test('invalid YAML is a clear error', () => rejects('id: [a\n', /not valid YAML/));

test('a missing pipeline id says where it looked', async () => {
  await assert.rejects(loadPipeline('nope', ROOT), /no pipelines\/nope\.yaml/);
});

test('a time zone ICU does not know is refused at load, before any store exists', () =>
  rejects('id: a\ntimezone: Asia/Shangai\nsource: {type: dir, path: x}\n', /timezone: not a known time zone/, /Asia\/Shanghai/));

test('source URLs other than http(s) are refused', async () => {
  await rejects('id: a\nsource: {type: feed, url: "file:///etc/passwd"}\n', /source\.url: an http:\/\/ or https:\/\/ URL/);
  await rejects('id: a\nsource: {type: github, repo: o/r, api: "ftp://mirror.example"}\n', /source\.api: an http:\/\/ or https:\/\/ URL/);
  await rejects('id: a\nsource: {type: github, repo: o/r, raw: "javascript:alert(1)"}\n', /source\.raw: an http:\/\/ or https:\/\/ URL/);
});

test('a rate_limit whose delay would overflow setTimeout is refused; the smallest allowed loads', async () => {
  await rejects('id: a\nsource: {type: feed, url: "https://127.0.0.1/feed.xml", http: {rate_limit: 1e-9}}\n', /source\.http\.rate_limit: at least 0\.001/);
  await rejects('id: a\nsource: {type: feed, url: "https://127.0.0.1/feed.xml", http: {rate_limit: 0}}\n', /source\.http\.rate_limit/);
  const p = (await load('id: a\nsource: {type: feed, url: "https://127.0.0.1/feed.xml", http: {rate_limit: 0.001}}\n')) as Awaited<ReturnType<typeof loadPipeline>>;
  assert.ok(p.config.source.type === 'feed' && p.config.source.http.rate_limit === 0.001);
});

describe('publish.dir is checked at load', () => {
  // Only loaded, never run: a run that got past the check would write into these folders as root.
  const refused = (yaml: string, ...expected: RegExp[]) => rejects(yaml, /publish\.dir/, ...expected);

  it('refuses the root folder', () => refused('id: a\nsource: {type: dir, path: posts}\npublish: {dir: /}\n', /is \/, the root folder/));

  it('refuses system folders and anything inside the ones the OS owns', async () => {
    await refused('id: a\nsource: {type: dir, path: posts}\npublish: {dir: /etc}\n', /inside the system folder \/etc/);
    await refused('id: a\nsource: {type: dir, path: posts}\npublish: {dir: /usr/share/zhengce}\n', /inside the system folder \/usr/);
    await refused('id: a\nsource: {type: dir, path: posts}\npublish: {dir: /var}\n', /is \/var, a system folder/);
  });

  it('refuses the home folder and a folder holding it', async () => {
    const home = await mkdtemp(join(tmpdir(), 'zhengce-home-'));
    const saved = process.env.HOME;
    process.env.HOME = join(home, 'me'); // os.homedir() reads HOME
    try {
      await refused(`id: a\nsource: {type: dir, path: posts}\npublish: {dir: ${home}/me}\n`, /the home folder/);
      await refused(`id: a\nsource: {type: dir, path: posts}\npublish: {dir: ${home}}\n`, /the home folder .* or a folder holding it/);
      const inside = (await load(`id: a\nsource: {type: dir, path: posts}\npublish: {dir: ${home}/me/zhengce-out}\n`)) as Awaited<ReturnType<typeof loadPipeline>>;
      assert.equal(inside.outputDir, join(home, 'me', 'zhengce-out'), 'a folder of its own inside home is fine');
    } finally {
      process.env.HOME = saved;
    }
  });

  it('refuses a folder inside the dir source folder, resolved against the working folder as the loader does', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'zhengce-config-'));
    await mkdir(join(cwd, 'posts'));
    const file = join(cwd, 'p.yaml');
    await writeFile(file, 'id: a\nsource: {type: dir, path: ./posts}\npublish: {dir: posts/out}\n');
    await assert.rejects(loadPipeline(file, cwd), (err: Error) => {
      assert.ok(err instanceof CliError);
      assert.match(err.message, /p\.yaml/);
      assert.match(
        err.message,
        new RegExp(
          `publish\\.dir "posts/out" is ${join(cwd, 'posts', 'out')}, inside the source folder ${join(cwd, 'posts')} \\(source\\.path\\): each run would read its own CHANGELOG\\.md back as a post`,
        ),
      );
      return true;
    });
    // The default output/<id> is checked too: a source that is the working folder holds it.
    await writeFile(file, 'id: a\nsource: {type: dir, path: .}\n');
    await assert.rejects(loadPipeline(file, cwd), /publish\.dir \(default output\/a\) is .*inside the source folder/);
  });

  it('refuses a folder holding the dir source folder', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'zhengce-config-'));
    const file = join(cwd, 'p.yaml');
    await writeFile(file, 'id: a\nsource: {type: dir, path: out/posts}\npublish: {dir: out}\n');
    await assert.rejects(loadPipeline(file, cwd), new RegExp(`p\\.yaml:\\n  - publish\\.dir "out" is ${join(cwd, 'out')}, a folder holding the source folder ${join(cwd, 'out', 'posts')}`));
    // A sibling is fine.
    await writeFile(file, 'id: a\nsource: {type: dir, path: out/posts}\npublish: {dir: out/releases}\n');
    assert.equal((await loadPipeline(file, cwd)).outputDir, join(cwd, 'out', 'releases'));
  });
});

describe('publish.dir is checked with symlinks resolved', () => {
  /** A working folder with a posts folder, and a pipeline file whose publish.dir is `dir`. */
  async function loadWith(dir: string, setup: (cwd: string) => Promise<void>, sourcePath = 'posts') {
    const cwd = await mkdtemp(join(tmpdir(), 'zhengce-config-'));
    await mkdir(join(cwd, 'posts'));
    await setup(cwd);
    const file = join(cwd, 'p.yaml');
    await writeFile(file, `id: a\nsource: {type: dir, path: ${sourcePath}}\npublish: {dir: ${dir}}\n`);
    return { cwd, load: () => loadPipeline(file, cwd) };
  }

  it('refuses a publish.dir that is a symlink into the source folder', async () => {
    const ws = await loadWith('out', (cwd) => symlink(join(cwd, 'posts'), join(cwd, 'out')));
    await assert.rejects(ws.load(), new RegExp(`publish\\.dir "out" is ${join(ws.cwd, 'out')} \\(through a symlink: ${join(ws.cwd, 'posts')}\\), inside the source folder ${join(ws.cwd, 'posts')}`));
  });

  it('refuses a folder below a symlink into the source folder, and one below a dangling link that leads there', async () => {
    const ws = await loadWith('out/site', async (cwd) => {
      await mkdir(join(cwd, 'posts', 'sub'));
      await symlink(join(cwd, 'posts', 'sub'), join(cwd, 'out'));
    });
    await assert.rejects(ws.load(), /through a symlink: .*\/posts\/sub\/site\), inside the source folder/);
    const dangling = await loadWith('out', (cwd) => symlink(join(cwd, 'posts', 'not-yet'), join(cwd, 'out')));
    await assert.rejects(dangling.load(), /inside the source folder/);
  });

  it('refuses a publish.dir that holds the source folder through a symlink', async () => {
    const ws = await loadWith(
      'out',
      async (cwd) => {
        await mkdir(join(cwd, 'real-out'));
        await symlink(join(cwd, 'real-out'), join(cwd, 'out'));
      },
      'real-out/posts',
    );
    await assert.rejects(ws.load(), /a folder holding the source folder/);
  });

  it('refuses a source folder that is a symlink to a folder holding the output folder', async () => {
    const ws = await loadWith('output/a', async (cwd) => symlink(cwd, join(cwd, 'posts', 'all')), 'posts/all');
    await assert.rejects(ws.load(), /inside the source folder .*\(through a symlink: /);
  });

  it('refuses a symlink to a system folder, live or dangling (only loaded, never run)', async () => {
    const etc = await loadWith('out', (cwd) => symlink('/etc', join(cwd, 'out')));
    await assert.rejects(etc.load(), /\(through a symlink: \/etc\), inside the system folder \/etc/);
    const below = await loadWith('out/zhengce', (cwd) => symlink('/usr/share', join(cwd, 'out')));
    await assert.rejects(below.load(), /inside the system folder \/usr/);
    const dangling = await loadWith('out', (cwd) => symlink('/etc/zhengce-not-there', join(cwd, 'out')));
    await assert.rejects(dangling.load(), /inside the system folder \/etc/);
    const root = await loadWith('out', (cwd) => symlink('/', join(cwd, 'out')));
    await assert.rejects(root.load(), /the root folder/);
  });
});

describe('pipelines loaded together', () => {
  async function twoFiles(a: string, b: string) {
    const cwd = await mkdtemp(join(tmpdir(), 'zhengce-config-'));
    await writeFile(join(cwd, 'a.yaml'), a);
    await writeFile(join(cwd, 'b.yaml'), b);
    return { cwd, load: async () => [await loadPipeline(join(cwd, 'a.yaml'), cwd), await loadPipeline(join(cwd, 'b.yaml'), cwd)] };
  }

  it('refuses two files declaring one id, naming both', async () => {
    const ws = await twoFiles('id: x\nsource: {type: dir, path: a}\n', 'id: x\nsource: {type: dir, path: b}\npublish: {dir: elsewhere}\n');
    await assert.rejects(checkDistinctPipelines(await ws.load()), new RegExp(`${join(ws.cwd, 'a.yaml')} and ${join(ws.cwd, 'b.yaml')} both declare id "x"`));
  });

  it('refuses two pipelines publishing into one folder, one of them through a symlink', async () => {
    const ws = await twoFiles('id: x\nsource: {type: dir, path: a}\npublish: {dir: shared}\n', 'id: y\nsource: {type: dir, path: b}\npublish: {dir: link}\n');
    await mkdir(join(ws.cwd, 'shared'));
    await symlink(join(ws.cwd, 'shared'), join(ws.cwd, 'link'));
    await assert.rejects(checkDistinctPipelines(await ws.load()), new RegExp(`\\(x\\) and .*b\\.yaml \\(y\\) both publish into ${join(ws.cwd, 'shared')}: an output folder belongs to one pipeline`));
  });

  it('takes pipelines of their own, and one file named twice', async () => {
    const ws = await twoFiles('id: x\nsource: {type: dir, path: a}\n', 'id: y\nsource: {type: dir, path: b}\n');
    const [a, b] = await ws.load();
    await checkDistinctPipelines([a, b, a]);
  });
});

test('http has a total deadline per request and a byte budget by default, both overridable', async () => {
  const p = (await load('id: a\nsource: {type: feed, url: "https://127.0.0.1/feed.xml"}\n')) as Awaited<ReturnType<typeof loadPipeline>>;
  assert.equal(p.config.source.type, 'feed');
  if (p.config.source.type !== 'feed') return;
  assert.equal(p.config.source.http.response_timeout_ms, 120_000);
  assert.equal(p.config.source.http.max_bytes_in_flight, 256 * 1024 * 1024);
  const q = (await load('id: a\nsource: {type: feed, url: "https://127.0.0.1/feed.xml", http: {response_timeout_ms: 5000, max_bytes_in_flight: 50000000}}\n')) as Awaited<
    ReturnType<typeof loadPipeline>
  >;
  assert.deepEqual(q.config.source.type === 'feed' && [q.config.source.http.response_timeout_ms, q.config.source.http.max_bytes_in_flight], [5000, 50_000_000]);
});

test('a response deadline that is not a positive integer is refused by key', () =>
  rejects('id: a\nsource: {type: feed, url: "https://127.0.0.1/feed.xml", http: {response_timeout_ms: 0}}\n', /source\.http\.response_timeout_ms/));

test('a byte budget smaller than one response is refused, saying why', () =>
  rejects(
    'id: a\nsource: {type: github, repo: a/b, http: {max_response_bytes: 1000000, max_bytes_in_flight: 999999}}\n',
    /source\.http\.max_bytes_in_flight: must be at least http\.max_response_bytes/,
  ));
