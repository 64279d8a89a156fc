import { ChildProcess, spawn, spawnSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';

/** Writes rendered files into a fresh temporary folder. */
export function writeTree(files: Map<string, Buffer>, prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const [file, data] of files) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), data);
  }
  return dir;
}

/**
 * A Python 3 that has what the generated service needs (Debian packages
 * python3-prometheus-client and python3-pytest; scripts/prerequisites.sh
 * installs them). Missing → an error saying so, never a skip.
 */
export function pythonWithDeps(): string {
  for (const bin of ['python3.11', 'python3', '/usr/bin/python3']) {
    const r = spawnSync(bin, ['-c', 'import prometheus_client, pytest']);
    if (r.status === 0) return bin;
  }
  throw new Error(
    'no python3 with prometheus_client and pytest: install the Debian packages python3-prometheus-client and python3-pytest (scripts/prerequisites.sh does)',
  );
}

/** Links the monorepo's node_modules (prom-client, typescript, @types/node). */
export function linkNodeModules(dir: string) {
  const promClient = path.dirname(require.resolve('prom-client/package.json'));
  fs.symlinkSync(
    path.dirname(promClient),
    path.join(dir, 'node_modules'),
    'dir',
  );
}

export function run(
  cmd: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
) {
  const r = spawnSync(cmd, args, {
    cwd,
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  return {
    status: r.status,
    output: `${r.stdout?.toString() ?? ''}${r.stderr?.toString() ?? ''}`,
  };
}

/**
 * Starts `cmd` as PID 1 of a new PID namespace (`unshare --fork --pid`),
 * waits until it prints `listening`, sends SIGTERM to it and resolves with
 * the milliseconds it took to exit (or rejects after `timeoutMs`).
 */
export async function sigtermAsPid1(
  cmd: string[],
  cwd: string,
  env: Record<string, string>,
  timeoutMs = 2000,
): Promise<{ exitMs: number; output: string; pid1: boolean }> {
  const child: ChildProcess = spawn(
    'unshare',
    ['--fork', '--pid', '--mount-proc', ...cmd],
    { cwd, env: { ...process.env, ...env } },
  );
  let output = '';
  const listening = new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes('listening')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const timer = setTimeout(
      () => reject(new Error(`not listening: ${output}`)),
      30_000,
    );
    child.on('exit', code => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before listening: ${output}`));
    });
    child.stdout!.on(
      'data',
      () => output.includes('listening') && clearTimeout(timer),
    );
  });
  await listening;
  // the forked child of unshare is PID 1 of the namespace
  const children = fs
    .readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .map(Number);
  const target = children[0];
  const status = fs.readFileSync(`/proc/${target}/status`, 'utf8');
  const pid1 = /^NSpid:\s+\d+\s+1$/m.test(status);
  const started = Date.now();
  const exited = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // already gone
      }
      reject(
        new Error(`still running ${timeoutMs} ms after SIGTERM: ${output}`),
      );
    }, timeoutMs);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });
  process.kill(target, 'SIGTERM');
  const exitMs = await exited;
  return { exitMs, output, pid1 };
}

/** `tsc -p tsconfig.json` in a generated Node service (links node_modules first). */
function buildNodeService(dir: string) {
  if (!fs.existsSync(path.join(dir, 'node_modules'))) linkNodeModules(dir);
  return run(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'],
    dir,
  );
}

/**
 * Builds and runs the generated service's own unit tests the way its
 * pipeline does; returns the exit status, the output and the test count.
 */
export function runServiceUnitTests(runtime: string, dir: string) {
  if (runtime === 'node') {
    const build = buildNodeService(dir);
    if (build.status !== 0) return { ...build, tests: 0 };
    const r = run(
      process.execPath,
      [
        '--test',
        '--test-reporter=junit',
        '--test-reporter-destination=junit.xml',
        'dist/**/*.test.js',
      ],
      dir,
    );
    const junit = fs.readFileSync(path.join(dir, 'junit.xml'), 'utf8');
    return { ...r, tests: (junit.match(/<testcase /g) ?? []).length };
  }
  const r = run(
    pythonWithDeps(),
    ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '--junitxml=junit.xml'],
    dir,
  );
  const junit = fs.readFileSync(path.join(dir, 'junit.xml'), 'utf8');
  return { ...r, tests: (junit.match(/<testcase /g) ?? []).length };
}

/** The command that starts the generated service (built first for Node). */
export function serviceCommand(runtime: string, dir: string): string[] {
  if (runtime === 'node') {
    if (!fs.existsSync(path.join(dir, 'dist/main.js'))) buildNodeService(dir);
    return [process.execPath, 'dist/main.js'];
  }
  return [pythonWithDeps(), '-m', 'app.main'];
}
