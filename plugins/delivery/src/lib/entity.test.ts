import { Entity } from '@backstage/catalog-model';
import {
  declaredCanarySteps,
  isCanaryAvailable,
  isPromotionAvailable,
} from './entity';

const entity = (annotations?: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'service-a', annotations },
});

describe('isCanaryAvailable', () => {
  it('holds for entities that declare their canary steps', () => {
    expect(
      isCanaryAvailable(entity({ 'assay.dev/canary-steps': '10,50,100' })),
    ).toBe(true);
  });

  it('holds for canary-enabled entities without steps (backend defaults)', () => {
    expect(
      isCanaryAvailable(entity({ 'assay.dev/canary-enabled': 'true' })),
    ).toBe(true);
  });

  it('does not hold without either annotation, with blank steps, or when turned off', () => {
    expect(isCanaryAvailable(entity())).toBe(false);
    expect(isCanaryAvailable(entity({ 'assay.dev/canary-steps': ' ' }))).toBe(
      false,
    );
    expect(
      isCanaryAvailable(
        entity({
          'assay.dev/canary-steps': '10,50,100',
          'assay.dev/canary-enabled': 'false',
        }),
      ),
    ).toBe(false);
  });

  it('reads the declared steps', () => {
    expect(
      declaredCanarySteps(entity({ 'assay.dev/canary-steps': '5, 25,100' })),
    ).toEqual([5, 25, 100]);
    expect(
      declaredCanarySteps(entity({ 'assay.dev/canary-steps': '5,x' })),
    ).toBeUndefined();
  });
});

describe('isPromotionAvailable', () => {
  it('holds for entities with environments, promotion turned on, or evidence collected', () => {
    expect(
      isPromotionAvailable(entity({ 'assay.dev/environments': 'dev,prod' })),
    ).toBe(true);
    expect(
      isPromotionAvailable(entity({ 'assay.dev/promotion-enabled': 'true' })),
    ).toBe(true);
    expect(
      isPromotionAvailable(entity({ 'assay.dev/evidence-enabled': 'true' })),
    ).toBe(true);
  });

  it('does not hold otherwise, nor when turned off', () => {
    expect(isPromotionAvailable(entity())).toBe(false);
    expect(
      isPromotionAvailable(entity({ 'assay.dev/evidence-enabled': 'false' })),
    ).toBe(false);
    expect(
      isPromotionAvailable(
        entity({
          'assay.dev/environments': 'dev,prod',
          'assay.dev/promotion-enabled': 'false',
        }),
      ),
    ).toBe(false);
  });
});
