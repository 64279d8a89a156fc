import fs from 'node:fs/promises';
import { unzipSync } from 'fflate';
import { EvidenceBundle } from '@assay/plugin-evidence-common';
import { CliError } from './context';

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

/** Reads a bundle from `bundle.json`-style JSON or from an audit pack zip. */
export async function readBundleFile(file: string): Promise<EvidenceBundle> {
  let data: Buffer;
  try {
    data = await fs.readFile(file);
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`);
  }
  let json = data;
  if (ZIP_MAGIC.every((b, i) => data[i] === b)) {
    let entries: Record<string, Uint8Array>;
    try {
      entries = unzipSync(data, { filter: f => f.name === 'bundle.json' });
    } catch (e) {
      throw new CliError(`${file} is not a valid zip: ${(e as Error).message}`);
    }
    if (!entries['bundle.json'])
      throw new CliError(`${file} has no bundle.json`);
    json = Buffer.from(entries['bundle.json']);
  }
  try {
    return JSON.parse(json.toString('utf8'));
  } catch {
    throw new CliError(`${file} is not JSON`);
  }
}
