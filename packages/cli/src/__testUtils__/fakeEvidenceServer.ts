import http from 'node:http';
import { AddressInfo } from 'node:net';
import {
  canonicalJson,
  digestString,
  EvidenceBundle,
  EvidenceEnvelope,
  formatCheckpoint,
  generateSignerKey,
  leafHash,
  merkleRoot,
  NodeLookup,
  inclusionProof,
  recordHash,
  signNote,
  toBase64,
  utf8Encode,
  verifierKeyFromSignerKey,
} from '@assay/plugin-evidence-common';

export const ORIGIN = 'assay.test/evidence';

type Row = {
  leafIndex: number;
  hash: string;
  canonical: string;
  env: EvidenceEnvelope;
};

/** A tiny in-memory stand-in for the evidence backend (test boundary only). */
export class FakeLog {
  readonly signerKey = generateSignerKey(ORIGIN);
  readonly rows: Row[] = [];
  /** Leaf hashes as computed at append time (later edits to rows do not change them). */
  readonly leaves: Uint8Array[] = [];

  append(body: any, producer = 'user:default/ci'): Row {
    const previous = this.rows
      .filter(r => r.env.entityRef === body.entityRef)
      .pop();
    const env: EvidenceEnvelope = {
      v: 1,
      entityRef: body.entityRef,
      seq: (previous?.env.seq ?? 0) + 1,
      category: body.category,
      ...(body.subject ? { subject: body.subject } : {}),
      summary: body.summary ?? {},
      payloadDigest: body.payloadDigest ?? null,
      artifacts: (body.artifacts ?? []).map((a: any) => {
        const content = Buffer.from(a.contentBase64, 'base64');
        return {
          name: a.name,
          digest: digestString(content),
          size: content.length,
          mediaType: a.mediaType,
        };
      }),
      producer,
      producedAt: body.producedAt,
      recordedAt: '2025-06-01T12:00:00.000Z',
      previousHash: previous?.hash ?? null,
    };
    const row = {
      leafIndex: this.rows.length,
      hash: recordHash(env),
      canonical: canonicalJson(env),
      env,
    };
    this.rows.push(row);
    this.leaves.push(leafHash(utf8Encode(row.canonical)));
    return row;
  }

  bundle(entityRef: string): EvidenceBundle {
    const leaves = this.leaves;
    const lookup: NodeLookup = (level, index) =>
      merkleRoot(leaves.slice(index * 2 ** level, (index + 1) * 2 ** level));
    const treeSize = leaves.length;
    const checkpoint = formatCheckpoint({
      origin: ORIGIN,
      treeSize,
      rootHash: merkleRoot(leaves),
    });
    return {
      version: 1,
      entityRef,
      origin: ORIGIN,
      publicKey: verifierKeyFromSignerKey(this.signerKey),
      checkpoint: signNote(checkpoint, this.signerKey),
      records: this.rows
        .filter(r => r.env.entityRef === entityRef)
        .map(r => ({
          leafIndex: r.leafIndex,
          hash: r.hash,
          canonical: r.canonical,
          inclusionProof: inclusionProof(r.leafIndex, treeSize, lookup).map(
            toBase64,
          ),
        })),
    };
  }
}

export type Seen = {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
};

/**
 * Serves `/api/evidence/v1/records` and `/entities/:kind/:ns/:name/bundle`
 * from a FakeLog. `override` can answer a request instead (e.g. an error).
 */
export async function startFakeServer(
  log: FakeLog,
  override?: (req: Seen, res: http.ServerResponse) => boolean,
) {
  const seen: Seen[] = [];
  const server = http.createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const request = {
      method: req.method!,
      url: req.url!,
      headers: req.headers,
      body,
    };
    seen.push(request);
    if (override?.(request, res)) return;
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    const bundle = req.url!.match(
      /^\/api\/evidence\/v1\/entities\/([^/]+)\/([^/]+)\/([^/]+)\/bundle$/,
    );
    if (req.method === 'POST' && req.url === '/api/evidence/v1/records') {
      const row = log.append(JSON.parse(body));
      json(201, {
        envelope: row.env,
        hash: row.hash,
        leafIndex: row.leafIndex,
        canonical: row.canonical,
      });
    } else if (req.method === 'GET' && bundle) {
      const ref = `${bundle[1]}:${bundle[2]}/${decodeURIComponent(bundle[3])}`;
      if (!log.rows.some(r => r.env.entityRef === ref)) {
        json(404, {
          error: {
            name: 'NotFoundError',
            message: `No evidence recorded for ${ref}`,
          },
        });
      } else {
        json(200, log.bundle(ref));
      }
    } else {
      json(404, { error: { name: 'NotFoundError', message: 'no such route' } });
    }
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}

/** A CliContext that records output. */
export function captureContext(env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    ctx: {
      env,
      out: (l: string) => out.push(l),
      err: (l: string) => err.push(l),
    },
    out,
    err,
    text: () => [...out, ...err].join('\n'),
  };
}
