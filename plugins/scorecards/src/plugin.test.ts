import { Entity } from '@backstage/catalog-model';
import {
  EntityScorecardCard,
  EntityScorecardContent,
  isScorecardAvailable,
  ScorecardsOverviewPage,
  scorecardsPlugin,
} from './index';
import alphaPlugin from './alpha';

const entity = (
  kind: string,
  annotations?: Record<string, string>,
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind,
  metadata: { name: 'x', annotations },
});

describe('scorecards plugin', () => {
  it('exports the plugin, its extensions and its API', () => {
    expect(scorecardsPlugin.getId()).toBe('scorecards');
    expect(scorecardsPlugin.getApis()).toHaveLength(1);
    expect(EntityScorecardContent).toBeDefined();
    expect(EntityScorecardCard).toBeDefined();
    expect(ScorecardsOverviewPage).toBeDefined();
  });

  it('is available for components and entities that declare a compliance mode', () => {
    expect(isScorecardAvailable(entity('Component'))).toBe(true);
    expect(isScorecardAvailable(entity('component'))).toBe(true);
    expect(isScorecardAvailable(entity('API'))).toBe(false);
    expect(
      isScorecardAvailable(
        entity('Resource', { 'assay.dev/compliance-mode': 'compliance' }),
      ),
    ).toBe(true);
    expect(
      isScorecardAvailable(
        entity('Resource', { 'assay.dev/compliance-mode': ' ' }),
      ),
    ).toBe(false);
  });

  it('has a new-frontend-system plugin under /alpha', () => {
    expect(alphaPlugin.$$type).toBe('@backstage/FrontendPlugin');
    expect(alphaPlugin.id).toBe('scorecards');
  });
});
