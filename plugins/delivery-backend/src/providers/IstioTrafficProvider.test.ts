import { KubeConfig } from '@kubernetes/client-node';
import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { IstioTrafficProvider } from './IstioTrafficProvider';

const vs = (name: string, http: any[]) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name, namespace: 'shop', resourceVersion: '7' },
  spec: { hosts: [name], http },
});

const split = (name: string) => [
  {
    name: 'primary',
    route: [
      { destination: { host: name, subset: 'stable' }, weight: 100 },
      { destination: { host: name, subset: 'canary' }, weight: 0 },
    ],
  },
];

describe('IstioTrafficProvider against a fake Kubernetes API', () => {
  let child: ChildProcess;
  let base: string;
  let provider: IstioTrafficProvider;
  const state = async () => (await fetch(`${base}/__state`)).json() as any;
  const weights = async (key: string) =>
    (await state()).objects[key].spec.http[0].route.map((d: any) => d.weight);

  beforeAll(async () => {
    child = spawn(
      process.execPath,
      [
        path.join(__dirname, '__fixtures__', 'fakeKubeApi.mjs'),
        JSON.stringify([
          vs('service-a', split('service-a')),
          vs('mirror-only', [
            { route: [{ destination: { host: 'x', subset: 'v1' } }] },
          ]),
          vs('custom', split('custom')),
        ]),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const port = await new Promise<number>((resolve, reject) => {
      child.on('exit', code => reject(new Error(`fake API exited ${code}`)));
      child.stdout!.on('data', (d: Buffer) => {
        const m = /listening (\d+)/.exec(d.toString());
        if (m) resolve(Number(m[1]));
      });
    });
    base = `http://127.0.0.1:${port}`;
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: base, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'test-token' }],
      contexts: [{ name: 'c', cluster: 'fake', user: 'u' }],
      currentContext: 'c',
    });
    provider = new IstioTrafficProvider({
      kubeConfig: kc,
      namespace: 'shop',
      virtualService: '${name}',
      stableSubset: 'stable',
      canarySubset: 'canary',
    });
  }, 30000);
  afterAll(() => {
    child?.kill();
  });

  it('patches the stable and canary weights, guarded by resourceVersion', async () => {
    await provider.setWeight({ entityRef: 'component:default/service-a' }, 10);
    expect(await weights('shop/service-a')).toEqual([90, 10]);
    const s = await state();
    const patch = s.requests.find((r: any) => r.method === 'PATCH');
    expect(patch.contentType).toBe('application/json-patch+json');
    expect(patch.authorization).toBe('Bearer test-token');
    expect(patch.body[0]).toEqual({
      op: 'test',
      path: '/metadata/resourceVersion',
      value: '7',
    });

    await provider.setWeight({ entityRef: 'component:default/service-a' }, 50);
    expect(await weights('shop/service-a')).toEqual([50, 50]);
    await provider.setWeight({ entityRef: 'component:default/service-a' }, 0);
    expect(await weights('shop/service-a')).toEqual([100, 0]);
    expect((await state()).rejected).toEqual([]);
  });

  it('uses the VirtualService named by the entity annotation', async () => {
    await provider.setWeight(
      {
        entityRef: 'component:default/other',
        annotations: { 'assay.dev/istio-virtualservice': 'shop/custom' },
      },
      50,
    );
    expect(await weights('shop/custom')).toEqual([50, 50]);
  });

  it('refuses a VirtualService without a stable/canary split', async () => {
    await expect(
      provider.setWeight({ entityRef: 'component:default/mirror-only' }, 10),
    ).rejects.toThrow(/no HTTP route with both subsets/);
  });

  it('surfaces API errors (missing object)', async () => {
    await expect(
      provider.setWeight({ entityRef: 'component:default/nope' }, 10),
    ).rejects.toThrow();
  });

  it('the fake server validates: an invalid weight is rejected, not stored', async () => {
    const res = await fetch(
      `${base}/apis/networking.istio.io/v1/namespaces/shop/virtualservices/service-a`,
      {
        method: 'PATCH',
        headers: { 'content-type': 'application/json-patch+json' },
        body: JSON.stringify([
          { op: 'replace', path: '/spec/http/0/route/1/weight', value: 'ten' },
        ]),
      },
    );
    expect(res.status).toBe(422);
    expect((await state()).rejected.length).toBeGreaterThan(0);
    expect(await weights('shop/service-a')).toEqual([100, 0]);
  });
});
