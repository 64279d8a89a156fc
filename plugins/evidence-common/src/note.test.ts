import { ed25519 } from '@noble/curves/ed25519';
import { fromBase64, toBase64, toHex } from './bytes';
import { formatCheckpoint, parseCheckpoint } from './checkpoint';
import { openNote, signNote } from './note';
import { NoteError } from './noteError';
import {
  formatSignerKey,
  formatVerifierKey,
  generateSignerKey,
  keyId,
  parseSignerKey,
  parseVerifierKey,
  verifierKeyFromSignerKey,
} from './noteKeys';
import { readJson } from './__testUtils__/conformance';

type Vectors = {
  vkeys: Record<string, string>;
  signing: { skey: string; text: string; expectedSignedNote: string };
  cases: Array<{
    desc: string;
    message: string;
    trustedVkeys: string[];
    expect: 'ok' | 'err';
  }>;
};

const vectors = readJson<Vectors>('signed-note/signed-note-vectors.json');

describe('signed-note conformance vectors', () => {
  it('parses every verifier key and recomputes its key ID', () => {
    for (const [name, vkey] of Object.entries(vectors.vkeys)) {
      const parsed = parseVerifierKey(vkey);
      expect(parsed.name).toBe(name);
      expect(toHex(keyId(name, parsed.publicKey))).toBe(vkey.split('+')[1]);
      expect(formatVerifierKey(name, parsed.publicKey)).toBe(vkey);
    }
  });

  it('signs the text into exactly the expected note', () => {
    const { skey, text, expectedSignedNote } = vectors.signing;
    expect(signNote(text, skey)).toBe(expectedSignedNote);
    const parsed = parseSignerKey(skey);
    expect(formatSignerKey(parsed.name, parsed.seed)).toBe(skey);
    expect(verifierKeyFromSignerKey(skey)).toBe(vectors.vkeys.PeterNeumann);
  });

  const cases = vectors.cases.map(c => [c.desc, c] as const);
  const keys = (c: Vectors['cases'][number]) =>
    c.trustedVkeys.map(name => vectors.vkeys[name]);

  it.each(cases.filter(([, c]) => c.expect === 'ok'))('accepts: %s', (_, c) => {
    const opened = openNote(c.message, keys(c));
    expect(opened.verifiedBy.sort()).toEqual([...c.trustedVkeys].sort());
    expect(c.message.startsWith(`${opened.text}\n\u2014 `)).toBe(true);
  });

  it.each(cases.filter(([, c]) => c.expect === 'err'))(
    'rejects: %s',
    (_, c) => {
      expect(() => openNote(c.message, keys(c))).toThrow(NoteError);
    },
  );

  it('has both kinds of cases', () => {
    expect(new Set(vectors.cases.map(c => c.expect))).toEqual(
      new Set(['ok', 'err']),
    );
  });
});

describe('signed notes', () => {
  const skey = generateSignerKey('assay.test/log');
  const vkey = verifierKeyFromSignerKey(skey);
  const other = verifierKeyFromSignerKey(generateSignerKey('assay.test/log'));
  const note = signNote('hello\nworld\n', skey);

  it('round-trips with a generated key', () => {
    expect(openNote(note, [vkey])).toEqual({
      text: 'hello\nworld\n',
      verifiedBy: ['assay.test/log'],
    });
    expect(vkey).toMatch(/^assay\.test\/log\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
  });

  it('rejects a note signed by a different key with the same name', () => {
    expect(() => openNote(note, [other])).toThrow(
      /no signature from a trusted key/,
    );
  });

  it.each([
    ['changed text', note.replace('world', 'World')],
    ['added text line', note.replace('world\n', 'world\nmore\n')],
    ['no blank line', note.replace('\n\n', '\n')],
    ['control character', note.replace('hello', 'he\tllo')],
    ['carriage return', note.replace('world\n', 'world\r\n')],
    ['signature line without em dash', note.replace('\u2014', '-')],
    ['invalid base64 signature', note.replace(/ (\S+)\n$/, ' !!!!\n')],
  ])('rejects %s', (_, bad) => {
    expect(() => openNote(bad, [vkey])).toThrow(NoteError);
  });

  it('rejects a truncated signature', () => {
    const line = note.split('\n\n')[1];
    const sig = fromBase64(line.trim().split(' ')[2]);
    const bad = note.replace(
      line,
      `\u2014 assay.test/log ${toBase64(sig.slice(0, 40))}\n`,
    );
    expect(() => openNote(bad, [vkey])).toThrow(/invalid signature/);
  });

  it('rejects a malleated signature (S + L)', () => {
    // Adding the group order to S gives the same point equation; RFC 8032 requires S < L.
    const line = note.split('\n\n')[1];
    const raw = fromBase64(line.trim().split(' ')[2]);
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    let s = 0n;
    for (let i = 63; i >= 36; i--) s = (s << 8n) | BigInt(raw[i]);
    s += L;
    const malleable = raw.slice();
    for (let i = 36; i < 68; i++) {
      malleable[i] = Number(s & 255n);
      s >>= 8n;
    }
    const bad = note.replace(
      line,
      `\u2014 assay.test/log ${toBase64(malleable)}\n`,
    );
    expect(() => openNote(bad, [vkey])).toThrow(NoteError);
  });

  it('requires note text to end with a newline', () => {
    expect(() => signNote('no newline', skey)).toThrow(NoteError);
  });

  it('rejects malformed keys', () => {
    expect(() => parseVerifierKey('name+00000000+AQ==')).toThrow(NoteError);
    expect(() =>
      parseVerifierKey(vkey.replace(/\+[0-9a-f]{8}\+/, '+00000000+')),
    ).toThrow(/does not match/);
    expect(() =>
      parseVerifierKey(`bad name${vkey.slice(vkey.indexOf('+'))}`),
    ).toThrow(NoteError);
    expect(() => parseSignerKey(skey.replace('PRIVATE', 'PUBLIC'))).toThrow(
      NoteError,
    );
    expect(() => openNote(note, ['garbage'])).toThrow(NoteError);
    const pub = ed25519.getPublicKey(new Uint8Array(32));
    expect(() => formatVerifierKey('has+plus', pub)).toThrow(NoteError);
  });
});

describe('checkpoints', () => {
  const rootHash = new Uint8Array(32).map((_, i) => i);

  it('formats and parses', () => {
    const text = formatCheckpoint({
      origin: 'assay.test/log',
      treeSize: 42,
      rootHash,
    });
    expect(text).toBe(`assay.test/log\n42\n${toBase64(rootHash)}\n`);
    expect(parseCheckpoint(text)).toEqual({
      origin: 'assay.test/log',
      treeSize: 42,
      rootHash,
      extensions: [],
    });
    const ext = formatCheckpoint({
      origin: 'o',
      treeSize: 0,
      rootHash,
      extensions: ['x y'],
    });
    expect(parseCheckpoint(ext).extensions).toEqual(['x y']);
  });

  it.each([
    ['no final newline', `o\n1\n${toBase64(rootHash)}`],
    ['missing root', 'o\n1\n'],
    ['leading zero', `o\n01\n${toBase64(rootHash)}\n`],
    ['negative size', `o\n-1\n${toBase64(rootHash)}\n`],
    ['huge size', `o\n9007199254740993\n${toBase64(rootHash)}\n`],
    ['short root', `o\n1\n${toBase64(rootHash.slice(1))}\n`],
    ['empty extension line', `o\n1\n${toBase64(rootHash)}\n\n`],
    ['empty origin', `\n1\n${toBase64(rootHash)}\n`],
  ])('rejects %s', (_, text) => {
    expect(() => parseCheckpoint(text)).toThrow(NoteError);
  });

  it('refuses to format invalid checkpoints', () => {
    expect(() =>
      formatCheckpoint({ origin: 'a\nb', treeSize: 1, rootHash }),
    ).toThrow(NoteError);
    expect(() =>
      formatCheckpoint({ origin: 'o', treeSize: 1.5, rootHash }),
    ).toThrow(NoteError);
    expect(() =>
      formatCheckpoint({
        origin: 'o',
        treeSize: 1,
        rootHash: rootHash.slice(2),
      }),
    ).toThrow(NoteError);
  });
});
