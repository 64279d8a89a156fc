import { ConfigReader } from '@backstage/config';
import { DEFAULT_CHECKS } from '@assay/plugin-scorecards-common';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { readScorecardsConfig } from './config';

describe('readScorecardsConfig', () => {
  it('reads the checks of the repository app-config.yaml (the demo), equal to the defaults', () => {
    const file = path.resolve(__dirname, '../../../app-config.yaml');
    const data = parse(fs.readFileSync(file, 'utf8'));
    const config = readScorecardsConfig(new ConfigReader(data));
    expect(config.checks).toEqual(DEFAULT_CHECKS);
    expect(config.waiverMaxDaysCompliance).toBe(30);
    expect(config.historyRetentionDays).toBe(365);
  });

  it('uses the defaults when no checks are configured, plus additional checks', () => {
    const c = readScorecardsConfig(
      new ConfigReader({
        scorecards: {
          additionalChecks: [
            {
              id: 'has-docs',
              title: 'Docs',
              category: 'ownership',
              level: 'bronze',
              rule: {
                fact: 'entity.annotations.backstage.io/techdocs-ref',
                exists: true,
              },
              remediation: { text: 'add docs' },
            },
          ],
        },
      }),
    );
    expect(c.checks.map(x => x.id)).toEqual([
      ...DEFAULT_CHECKS.map(x => x.id),
      'has-docs',
    ]);
  });

  it('refuses to start with an invalid check, naming the check and the field', () => {
    const bad = {
      ...DEFAULT_CHECKS[4],
      rule: { fact: 'evidence.coverage.linePct', gte: '70%' },
    };
    expect(() =>
      readScorecardsConfig(
        new ConfigReader({ scorecards: { checks: [DEFAULT_CHECKS[0], bad] } }),
      ),
    ).toThrow(
      "scorecards.checks[1] (id 'coverage-70'): rule.gte: Expected number, received string",
    );
  });
});
