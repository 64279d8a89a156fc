import { Command, CommanderError, Option } from 'commander';
import { collect } from './args';
import { exportCommand } from './commands/export';
import { keygenCommand } from './commands/keygen';
import { latestCommand } from './commands/latest';
import { pushCommand } from './commands/push';
import { replayCommand } from './commands/scorecard';
import { verifyCommand } from './commands/verify';
import { CliContext, CliError } from './context';
import { FORMATS } from './mediaTypes';

type Action = (options: any, ctx: CliContext) => Promise<number>;

/** Builds the `assay` program; `setExitCode` receives each command's result. */
export function createProgram(
  ctx: CliContext,
  setExitCode: (code: number) => void,
): Command {
  const program = new Command('assay')
    .description('Record and verify Assay evidence')
    .option(
      '--url <url>',
      'Backstage backend base URL (env ASSAY_URL, default http://localhost:7007)',
    )
    .option('--token <token>', 'bearer token (env ASSAY_TOKEN)')
    .exitOverride()
    .configureOutput({
      writeOut: s => ctx.out(s.replace(/\n$/, '')),
      writeErr: s => ctx.err(s.replace(/\n$/, '')),
    });

  const wrap = (action: Action) => async (_: unknown, command: Command) => {
    try {
      setExitCode(await action(command.optsWithGlobals(), ctx));
    } catch (e) {
      if (!(e instanceof CliError)) throw e;
      ctx.err(`error: ${e.message}`);
      setExitCode(1);
    }
  };

  const evidence = program
    .command('evidence')
    .description('Evidence records, bundles and audit packs');

  evidence
    .command('push')
    .description('Append an evidence record for an entity')
    .requiredOption(
      '--entity <ref>',
      'entity ref, e.g. component:default/payments',
    )
    .requiredOption(
      '--category <category>',
      'evidence category, e.g. tests or sbom',
    )
    .option('--file <path>', 'artifact to attach (repeatable)', collect)
    .addOption(
      new Option('--format <format>', 'report format of the files').choices(
        FORMATS,
      ),
    )
    .option(
      '--subject <key=value>',
      'commit, version, featureSha, runId or environment (repeatable)',
      collect,
    )
    .option(
      '--summary <key=value>',
      'summary fact; true/false/null/numbers are typed (repeatable)',
      collect,
    )
    .option(
      '--idempotency-key <key>',
      'retry-safe key: the same key records once',
    )
    .action(wrap(pushCommand));

  evidence
    .command('verify')
    .description(
      "Verify an entity's evidence chain, inclusion proofs and signed checkpoint",
    )
    .option(
      '--entity <ref>',
      'entity ref (fetches the bundle unless --bundle is given)',
    )
    .option(
      '--bundle <file>',
      'verify offline from bundle.json or an audit pack zip',
    )
    .option(
      '--public-key <vkey>',
      'the log verifier key you trust (env ASSAY_PUBLIC_KEY)',
    )
    .option(
      '--state <file>',
      'remember the verified head here; later runs verify only new records (with --entity)',
    )
    .option(
      '--threads <n>',
      'worker threads verifying a --bundle file (default: one per available core; 1: one thread)',
    )
    .action(wrap(verifyCommand));

  evidence
    .command('export')
    .description("Write an auditor's pack (zip) for an entity")
    .option('--entity <ref>', 'entity ref')
    .option(
      '--bundle <file>',
      'build the pack from a bundle file instead of the server',
    )
    .requiredOption('-o, --output <file>', 'zip file to write')
    .option(
      '--public-key <vkey>',
      'the log verifier key you trust (env ASSAY_PUBLIC_KEY)',
    )
    .option('--force', 'write the pack even if verification fails')
    .action(wrap(exportCommand));

  evidence
    .command('keygen')
    .description(
      'Generate an Ed25519 checkpoint signing key (C2SP note format)',
    )
    .requiredOption(
      '--origin <origin>',
      'log origin, e.g. assay.example.com/evidence',
    )
    .action(wrap(keygenCommand));

  evidence
    .command('latest')
    .description(
      "Print an entity's newest record of a category (hash-checked), or one of its summary facts; exit 3 when there is none",
    )
    .requiredOption('--entity <ref>', 'entity ref')
    .requiredOption('--category <category>', 'evidence category')
    .option('--fact <name>', 'print only this summary fact, e.g. p95Ms')
    .action(wrap(latestCommand));

  program
    .command('scorecard')
    .description('Compliance scorecards')
    .command('replay')
    .description(
      "Recompute an entity's stored scorecard result from an audit pack and check it matches",
    )
    .requiredOption('--pack <file>', 'audit pack (zip or unpacked directory)')
    .option(
      '--result <file>',
      "the stored result (JSON of GET /api/scorecards/v1/entities/... or a compliance record's payload); fetched from the backend when absent",
    )
    .option(
      '--checks <file>',
      'the check set a compact or recorded result names by digest (JSON of GET /api/scorecards/v1/check-sets/<digest>, or an array of definitions); fetched from the backend when absent; it must hash to the digest',
    )
    .option('--entity <ref>', 'entity ref (default: the one the pack is for)')
    .action(wrap(replayCommand));

  return program;
}

/** Runs the CLI with arguments (without node and script) and returns the exit code. */
export async function run(args: string[], ctx: CliContext): Promise<number> {
  let code = 0;
  const program = createProgram(ctx, c => {
    code = c;
  });
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    ctx.err(`error: ${(e as Error).stack ?? e}`);
    return 1;
  }
  return code;
}
