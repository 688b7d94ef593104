// ESLint for the whole tree, type-aware (typescript-eslint's strict + stylistic sets, tuned below), with
// Prettier owning the layout (eslint-config-prettier turns off the rules it decides). `npm test` runs it
// before the tests; `npm run lint -- --fix` fixes what can be fixed.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import simpleImportSort from 'eslint-plugin-simple-import-sort';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'artifacts/', 'scratch/', '.hopscope-cache/', 'node_modules/', 'media/', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: { allowDefaultProject: ['*.mjs', 'scripts/*.mjs', 'bench/*.mjs', 'demo/*.mjs'] }, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'simple-import-sort': simpleImportSort },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // The project's own habits (docs/STYLE and CONTRIBUTING.md).
      'simple-import-sort/imports': 'error',
      'simple-import-sort/exports': 'error',
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // Numbers and booleans in template strings are what messages are made of.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // `x!` after a check the compiler cannot follow (indexed access under noUncheckedIndexedAccess) is the house style.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Hot-path decoders compare against constants the type narrows; these rules misfire on them.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-unnecessary-type-parameters': 'off',
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/unified-signatures': 'off',
      '@typescript-eslint/prefer-literal-enum-member': 'off',
      '@typescript-eslint/no-dynamic-delete': 'off',
      '@typescript-eslint/no-invalid-void-type': 'off',
      // vscode's typings name its Disposable class where any { dispose() } is taken (EventEmitter, DiagnosticCollection, …).
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      // `async` without `await` is how a function says it returns a promise where one is asked for (serializers, bench cases, stubs).
      '@typescript-eslint/require-await': 'off',
      // Sizes a newcomer can read (issue 15): files of at most 400 lines, functions of about 80.
      'max-lines': ['error', { max: 400, skipBlankLines: false, skipComments: false }],
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true, IIFEs: true }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly', fetch: 'readonly', performance: 'readonly', AbortSignal: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', queueMicrotask: 'readonly' } },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // node:test's describe/it return promises the runner awaits.
      '@typescript-eslint/no-floating-promises': 'off',
      // A describe block is one long function by nature; the file bound still holds.
      'max-lines-per-function': 'off',
      // Tests load fixtures compiled at run time, and modules once a stand-in is in place: require is the tool.
      '@typescript-eslint/no-require-imports': 'off',
      // Tests save globals such as Error.prepareStackTrace to put them back, and compare them.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  prettier,
);
