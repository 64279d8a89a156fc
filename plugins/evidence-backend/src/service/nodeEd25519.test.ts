import crypto from 'node:crypto';
import {
  generateSignerKey,
  openNote,
  signNote,
  verifierKeyFromSignerKey,
} from '@assay/plugin-evidence-common';
import { nodeEd25519Sign } from './nodeEd25519';

describe('nodeEd25519Sign', () => {
  it('signs notes with the same bytes as the portable implementation', () => {
    for (let i = 0; i < 20; i++) {
      const key = generateSignerKey(`example.com/log${i}`);
      const text = `example.com/log${i}\n${i}\n${crypto
        .randomBytes(32)
        .toString('base64')}\n`;
      const native = signNote(text, key, nodeEd25519Sign);
      expect(native).toBe(signNote(text, key));
      expect(openNote(native, [verifierKeyFromSignerKey(key)]).text).toBe(text);
    }
  });

  it('uses the key it is given (no stale cached key)', () => {
    const a = generateSignerKey('example.com/a');
    const b = generateSignerKey('example.com/a');
    const text = 'example.com/a\n1\nAAAA\n';
    const byB = signNote(text, b, nodeEd25519Sign);
    signNote(text, a, nodeEd25519Sign);
    expect(signNote(text, b, nodeEd25519Sign)).toBe(byB);
    expect(() => openNote(byB, [verifierKeyFromSignerKey(a)])).toThrow();
  });
});
