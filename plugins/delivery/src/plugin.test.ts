import {
  deliveryPlugin,
  EntityCanaryContent,
  EntityPromotionContent,
  PromotionsPage,
} from './index';
import alphaPlugin from './alpha';

describe('delivery plugin', () => {
  it('exports the plugin, the Canary tab and the API', () => {
    expect(deliveryPlugin.getId()).toBe('delivery');
    expect([...deliveryPlugin.getApis()].map(a => a.api.id)).toEqual([
      'plugin.delivery.service',
    ]);
    expect(EntityCanaryContent).toBeDefined();
    expect(EntityPromotionContent).toBeDefined();
    expect(PromotionsPage).toBeDefined();
  });

  it('has a new-frontend-system plugin under /alpha with the API and the Canary entity content', () => {
    expect(alphaPlugin.$$type).toBe('@backstage/FrontendPlugin');
    expect(alphaPlugin.id).toBe('delivery');
    expect(alphaPlugin.getExtension('api:delivery')).toBeDefined();
    expect(
      alphaPlugin.getExtension('entity-content:delivery/canary'),
    ).toBeDefined();
    expect(
      alphaPlugin.getExtension('entity-content:delivery/promotion'),
    ).toBeDefined();
    expect(alphaPlugin.getExtension('page:delivery')).toBeDefined();
  });
});
