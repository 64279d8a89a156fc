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
      "Recompute a recorded scorecard decision (a compliance record's payload) from an audit pack and check it matches.\n" +
        'MATCH only when the result file is the payload of a compliance record written by the scorecards plugin ' +
        '(service:plugin:scorecards) for the same entity, after the records it read, in a pack whose chain, ' +
        'inclusion proofs and signed checkpoint verify (as assay evidence verify checks them).\n' +
        'Exit codes: 0 MATCH (or, with --unbound, MATCH (not bound to a recorded decision)); ' +
        '1 MISMATCH or UNVERIFIED (pack does not verify, payload not bound to such a record, malformed result); ' +
        '2 error (cannot read the pack or result, cannot fetch)',
    )
    .requiredOption('--pack <file>', 'audit pack (zip or unpacked directory)')
    .option(
      '--result <file>',
      "a compliance record's payload ({ actor, result }, the bytes GET /api/evidence/v1/records/<hash>/artifacts/<payloadDigest> serves); with --unbound also a bare result (JSON of GET /api/scorecards/v1/entities/...)",
    )
    .option(
      '--checks <file>',
      'the check set a compact or recorded result names by digest (JSON of GET /api/scorecards/v1/check-sets/<digest>, or an array of definitions); fetched from the backend when absent; it must hash to the digest',
    )
    .option(
      '--public-key <vkey>',
      "the log verifier key you trust (env ASSAY_PUBLIC_KEY); else the pack's own key is used, not pinned",
    )
    .option(
      '--unbound',
      "replay a result that is not bound to a recorded decision (a bare result file, or without --result the entity API's result); a match then says MATCH (not bound to a recorded decision)",
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
