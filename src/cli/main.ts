/**
 * `hopscope`: the headless side of Hopscope.
 *   hopscope serve [--host H] [--http-port N] [--grpc-port N] [--max-spans N] …
 *   hopscope analyze <file|dir>... [--json] [--trace <id>] [--filter <query>]
 *   hopscope check <file|dir>... [--max-hops N] [--max-duration-ms N] [--fail-on rule,rule]
 */
import { errorText } from '../common/errors';
import { ANALYZE_USAGE, runAnalyze, runCheck } from './analyze';
import { runServe, SERVE_USAGE } from './serve';
import { version } from './version';

const USAGE = `Hopscope ${version} — see how requests travel between your local services.

Usage:
  hopscope serve [options]    run the OTLP receiver (HTTP + gRPC) and its JSON API
  hopscope analyze <files>    blocking chains, latency accumulation, cascades and findings of trace files
  hopscope check <files>      exit 1 when a trace breaks a budget (for CI pipelines)

${SERVE_USAGE}

${ANALYZE_USAGE}
  hopscope --version          print the version
  hopscope --help             print this help
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  if (command === 'serve') return runServe(rest);
  if (command === 'analyze') return runAnalyze(rest);
  if (command === 'check') return runCheck(rest);
  process.stderr.write(`hopscope: unknown command "${command}"\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`hopscope: ${errorText(error)}\n`);
    process.exitCode = 1;
  },
);
