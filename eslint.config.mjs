import tseslint from 'typescript-eslint';

// The layers of the brief point one way: config -> store -> analysis -> trainer -> sweep ->
// cli / extension / report; `vscode` only in src/extension. Each folder may not import the ones above it.
const LAYERS = ['config', 'store', 'analysis', 'trainer', 'sweep', 'report', 'cli', 'extension'];
const ABOVE = {
  util: LAYERS,
  config: LAYERS.slice(1),
  store: LAYERS.slice(2),
  analysis: LAYERS.slice(3),
  trainer: LAYERS.slice(4),
  sweep: ['report', 'cli', 'extension'],
  report: ['sweep', 'cli', 'extension'],
  cli: ['extension'],
  extension: ['cli'],
};
const noVscode = { name: 'vscode', message: 'vscode is imported only in src/extension (see src/extension/README.md).' };
// Imports of a layer from inside src/<folder>/ (at any depth): ../<layer>/..., ../../<layer>/..., ...
const up = ['..', '../..', '../../..', '../../../..'];
/** The webview bundles: only the top layers (cli, extension, report) share their protocol types. */
const BELOW_VIEWS = ['util', 'config', 'store', 'analysis', 'trainer', 'sweep'];
const layerRules = Object.entries(ABOVE).map(([folder, banned]) => ({
  files: [`src/${folder}/**/*.ts`],
  rules: {
    'no-restricted-imports': ['error', {
      paths: folder === 'extension' ? [] : [noVscode],
      patterns: [{
        group: banned.concat(BELOW_VIEWS.includes(folder) ? ['webview'] : []).flatMap((b) => up.flatMap((u) => [`${u}/${b}`, `${u}/${b}/**`])),
        message: `src/${folder} may not import a higher layer (config -> store -> analysis -> trainer -> sweep -> cli/extension/report; see src/README.md).`,
      }],
    }],
  },
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/trainer/engine/assembly/**', 'bench/assembly/**', '.grok/**', '.e2e/**', 'bench/reference/**', 'out/**', '.gpu-bundle/**', 'examples/.grok/**', 'test-results/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  // Promises: none left floating, none passed where a void callback is expected.
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // node:test's test() and describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'before', 'after', 'beforeEach', 'afterEach'] }] }],
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  // Outside src/ (tests, scripts, bench, webview): no vscode either, except the code-server end-to-end test.
  { files: ['test/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts', 'webview/**/*.ts'], ignores: ['test/e2e/**'], rules: { 'no-restricted-imports': ['error', { paths: [noVscode] }] } },
  ...layerRules,
  // webview/shared serves every panel: it may not import one of them.
  {
    files: ['webview/shared/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [noVscode], patterns: [{ group: ['../*/**', '!../shared/**', '!../../**'], message: 'webview/shared may not import a panel\'s folder.' }] }] },
  },
  // Plain CommonJS entry points (the npm bin shim).
  { files: ['bin/**/*.js'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
);
