// eslint: typescript-eslint's recommended rules, type imports written as such, and the folders' import rules
// (docs/design.md: each stage imports only src/core; only src/store imports DuckDB). tests/core/stage-imports.test.ts
// checks the same rules over every file, so a change that breaks them fails both.
import tseslint from 'typescript-eslint';

const STAGES = ['sources', 'parse', 'extract', 'store', 'publish', 'site'];
const outside = (folder, allowed) =>
  ['sources', 'parse', 'extract', 'store', 'publish', 'site', 'pipeline', 'schedule', 'cli'].filter((f) => f !== folder && !allowed.includes(f)).map((f) => `../${f}/*`);

/** One block per folder: the folders it may not import, and DuckDB outside the store. */
const boundaries = [...STAGES.map((folder) => [folder, []]), ['core', []], ['pipeline', STAGES], ['schedule', ['pipeline']], ['cli', ['pipeline', 'schedule']]].map(([folder, allowed]) => ({
  files: [`src/${folder}/**/*.ts`, `src/${folder}/**/*.js`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [{ group: outside(folder, allowed), message: `src/${folder} may import only src/core${allowed.length ? ` and src/${allowed.join(', src/')}` : ''} (docs/design.md)` }],
        paths: folder === 'store' ? [] : [{ name: '@duckdb/node-api', message: 'only src/store holds a DuckDB connection (docs/design.md)' }],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'output/**', 'docs/**', 'tests/fixtures/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      // import() types stay allowed: they name a lazily loaded module's types without loading it (apache-arrow, pagefind).
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  ...boundaries,
);
