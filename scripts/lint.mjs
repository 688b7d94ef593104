// `npm run lint`: ESLint (type-aware) over the tree, then Prettier's check. `npm run lint -- --fix` fixes
// what ESLint can and lets Prettier write the layout. Exits non-zero when anything is left.
import { spawnSync } from 'node:child_process';

const fix = process.argv.includes('--fix');
const bin = (name) => `node_modules/.bin/${name}`;
const run = (command, args) => spawnSync(command, args, { stdio: 'inherit' }).status ?? 1;

const eslint = run(bin('eslint'), ['.', '--cache', '--cache-location', 'node_modules/.cache/eslint/', ...(fix ? ['--fix'] : [])]);
const prettier = run(bin('prettier'), [fix ? '--write' : '--check', '--log-level', fix ? 'warn' : 'log', '.']);
process.exit(eslint || prettier);
