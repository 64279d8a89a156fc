import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { demoLog } from '../../__testUtils__/fakeEvidenceLog';
import { EvidenceGaps } from './EvidenceGaps';

describe('EvidenceGaps', () => {
  it('names a required category whose newest record does not verify', async () => {
    const summary = demoLog().summary(undefined, {
      missing: [
        {
          category: 'tests',
          reason: 'unverified',
          maxAgeDays: 30,
          problem:
            'record #7 (ab12): stored as category "tests" but its canonical bytes say "sbom"',
        },
        { category: 'sast', reason: 'never', maxAgeDays: 30 },
      ],
    });
    await renderInTestApp(<EvidenceGaps summary={summary} />);
    expect(screen.getByText('tests unverified')).toBeInTheDocument();
    expect(
      screen.getByText(
        /does not verify, so it counts for nothing: record #7 .*canonical bytes say "sbom"/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('sast missing')).toBeInTheDocument();
  });
});
