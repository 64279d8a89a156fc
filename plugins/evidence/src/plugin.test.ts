import { Entity } from '@backstage/catalog-model';
import {
  EntityEvidenceCard,
  EntityEvidenceContent,
  evidencePlugin,
  isEvidenceAvailable,
} from './index';
import alphaPlugin from './alpha';

const withAnnotations = (annotations?: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'x', annotations },
});

describe('evidence plugin', () => {
  it('exports the plugin, its extensions and its API', () => {
    expect(evidencePlugin.getId()).toBe('evidence');
    expect(evidencePlugin.getApis()).toHaveLength(1);
    expect(EntityEvidenceContent).toBeDefined();
    expect(EntityEvidenceCard).toBeDefined();
  });

  it('is available only when the annotation is "true"', () => {
    expect(
      isEvidenceAvailable(
        withAnnotations({ 'assay.dev/evidence-enabled': 'true' }),
      ),
    ).toBe(true);
    expect(
      isEvidenceAvailable(
        withAnnotations({ 'assay.dev/evidence-enabled': 'false' }),
      ),
    ).toBe(false);
    expect(isEvidenceAvailable(withAnnotations({}))).toBe(false);
    expect(isEvidenceAvailable(withAnnotations())).toBe(false);
  });

  it('has a new-frontend-system plugin under /alpha', () => {
    expect(alphaPlugin.$$type).toBe('@backstage/FrontendPlugin');
    expect(alphaPlugin.id).toBe('evidence');
  });
});
