import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import evidencePlugin from '@assay/plugin-evidence-backend';
import { run } from './program';
import { captureContext } from './__testUtils__/fakeEvidenceServer';

jest.setTimeout(90_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const ENTITY = 'component:default/payments';

/**
 * `assay evidence verify` against a started backend whose database is then
 * edited by someone with owner access: the entity's newest record deleted.
 */
describe('assay evidence verify detects a removed head record', () => {
  async function setup() {
    const knex = await databases.init('SQLITE_3');
    const { server } = await startTestBackend({
      features: [
        evidencePlugin,
        mockServices.database.factory({ knex }),
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: { name: 'payments', namespace: 'default' },
              spec: { type: 'service', owner: 'team-a', lifecycle: 'x' },
            },
          ],
        }),
        mockServices.rootConfig.factory({
          data: { backend: { baseUrl: 'http://localhost:7007' } },
        }),
      ],
    });
    const env = {
      ASSAY_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      ASSAY_TOKEN: mockCredentials.user.token(),
    };
    for (let i = 0; i < 3; i++) {
      const c = captureContext(env);
      const code = await run(
        [
          'evidence',
          'push',
          '--entity',
          ENTITY,
          '--category',
          'tests',
          '--summary',
          `run=${i}`,
        ],
        c.ctx,
      );
      expect(c.err).toEqual([]);
      expect(code).toBe(0);
    }
    const deleteHead = async () => {
      await knex.raw('DROP TRIGGER evidence_records_no_delete');
      const head = await knex('evidence_records')
        .where({ entity_ref: ENTITY })
        .orderBy('seq', 'desc')
        .first();
      await knex('evidence_records').where({ hash: head.hash }).delete();
      return head as { seq: number; hash: string };
    };
    const verify = async (...args: string[]) => {
      const c = captureContext(env);
      const code = await run(
        ['evidence', 'verify', '--entity', ENTITY, ...args],
        c.ctx,
      );
      return { code, text: c.text() };
    };
    const editInPlace = async (seq?: number) => {
      await knex.raw('DROP TRIGGER evidence_records_no_update');
      const head = await knex('evidence_records')
        .where({ entity_ref: ENTITY })
        .modify(q => (seq ? q.where({ seq }) : q))
        .orderBy('seq', 'desc')
        .first();
      const canonical = String(head.canonical).replace(
        `"run":${head.seq - 1}`,
        '"run":9',
      );
      expect(canonical).not.toBe(head.canonical);
      // the bytes change, the stored hash column does not
      await knex('evidence_records')
        .where({ hash: head.hash })
        .update({ canonical });
    };
    const editHeadInPlace = () => editInPlace();
    return { verify, deleteHead, editHeadInPlace, editInPlace };
  }

  it('a first-time verifier: the signed checkpoint commits to the deleted head', async () => {
    const { verify, deleteHead } = await setup();
    expect((await verify()).code).toBe(0); // the checkpoint is signed now
    const head = await deleteHead();
    const { code, text } = await verify();
    expect(code).toBe(1);
    expect(text).toMatch(
      new RegExp(
        `truncated: the signed checkpoint commits to head #${
          head.seq
        } .* end at #${head.seq - 1}`,
      ),
    );
  });

  it('a returning verifier with a state file', async () => {
    const { verify, deleteHead } = await setup();
    const state = path.join(
      fs.mkdtempSync(path.join(os.tmpdir(), 'assay-state-')),
      'state.json',
    );
    expect((await verify('--state', state)).code).toBe(0);
    const remembered = JSON.parse(fs.readFileSync(state, 'utf8'));
    expect(remembered.head.seq).toBe(3);
    await deleteHead();
    const { code, text } = await verify('--state', state);
    expect(code).toBe(1);
    expect(text).toMatch(/#3/);
    expect(text).toMatch(/truncated|head replaced|no longer/i);
    // the state file still remembers the verified head
    expect(JSON.parse(fs.readFileSync(state, 'utf8')).head.seq).toBe(3);
  });

  it('a returning verifier: the head record edited in place (hash column kept)', async () => {
    const { verify, editHeadInPlace } = await setup();
    const state = path.join(
      fs.mkdtempSync(path.join(os.tmpdir(), 'assay-state-')),
      'state.json',
    );
    expect((await verify('--state', state)).code).toBe(0);
    await editHeadInPlace();
    const { code, text } = await verify('--state', state);
    expect(code).toBe(1);
    expect(text).toMatch(/head replaced: .* the bytes served for record #3/);
  });

  it('a returning verifier re-checks the records before its remembered head (an in-place edit there is named)', async () => {
    const { verify, editInPlace } = await setup();
    const state = path.join(
      fs.mkdtempSync(path.join(os.tmpdir(), 'assay-state-')),
      'state.json',
    );
    expect((await verify('--state', state)).code).toBe(0);
    const again = await verify('--state', state);
    expect(again.code).toBe(0);
    expect(again.text).toMatch(/records #1–#3 \(verified before\) re-checked/);
    await editInPlace(2);
    const { code, text } = await verify('--state', state);
    expect(code).toBe(1);
    expect(text).toMatch(/record #2 .*hash mismatch/);
  });
});
