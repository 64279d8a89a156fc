import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  KeyObject,
  sign,
} from 'crypto';
import fs from 'fs/promises';
import path from 'path';
import {
  DsseEnvelope,
  dsseSign,
  ONBOARDING_MANIFEST_PAYLOAD_TYPE,
} from '@assay/plugin-onboarding-common';

/**
 * Signs onboarding manifests with Ed25519 as DSSE envelopes. The key comes
 * from `assay.onboarding.signingKey` (a PKCS#8 PEM); without one, a key is
 * generated per process, which is fine for development: the public key is
 * written next to the signature and its id is recorded in the onboarding
 * evidence record, so the signature can still be checked against the
 * hash-chained record.
 *
 * @public
 */
export class ReportSigner {
  static fromPem(pem: string): ReportSigner {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'ed25519') {
      throw new Error(
        `assay.onboarding.signingKey must be an Ed25519 private key (PKCS#8 PEM), got ${key.asymmetricKeyType}`,
      );
    }
    return new ReportSigner(key);
  }

  static ephemeral(): ReportSigner {
    return new ReportSigner(generateKeyPairSync('ed25519').privateKey);
  }

  readonly publicKey: KeyObject;
  readonly keyid: string;

  private constructor(private readonly privateKey: KeyObject) {
    this.publicKey = createPublicKey(privateKey);
    const spki = this.publicKey.export({ type: 'spki', format: 'der' });
    this.keyid = `sha256:${createHash('sha256').update(spki).digest('hex')}`;
  }

  async signManifest(manifest: Buffer): Promise<{
    envelope: DsseEnvelope;
    keyid: string;
    publicKeyPem: string;
  }> {
    const envelope = await dsseSign({
      payloadType: ONBOARDING_MANIFEST_PAYLOAD_TYPE,
      body: manifest,
      keyid: this.keyid,
      sign: pae => sign(null, pae, this.privateKey),
    });
    return {
      envelope,
      keyid: this.keyid,
      publicKeyPem: this.publicKey
        .export({ type: 'spki', format: 'pem' })
        .toString(),
    };
  }
}

const RUN_ID = /^(\d{8})T\d{6}Z-[A-Za-z0-9]+$/;

/**
 * Moves earlier runs of a feature (`reports/<featureId>/<runId>/`) into
 * `archive/YYYYMMDD/<runId>/`, the day taken from the run id.
 */
export async function archiveOlderRuns(featureDir: string, runId: string) {
  let entries: string[];
  try {
    entries = await fs.readdir(featureDir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const day = RUN_ID.exec(entry)?.[1];
    if (!day || entry === runId) continue;
    const target = path.join(featureDir, 'archive', day);
    await fs.mkdir(target, { recursive: true });
    await fs.rename(path.join(featureDir, entry), path.join(target, entry));
  }
}

/**
 * `latest` → the newest run: a relative symlink; where the file system
 * cannot hold one, a file whose content is the run id.
 */
export async function pointLatest(featureDir: string, runId: string) {
  const latest = path.join(featureDir, 'latest');
  await fs.rm(latest, { force: true, recursive: true });
  try {
    await fs.symlink(runId, latest, 'dir');
  } catch {
    await fs.writeFile(latest, `${runId}\n`);
  }
}

/** Spec fields that must be carried by the generated files. */
export async function specCoverage(
  root: string,
  spec: Record<string, any>,
): Promise<{
  covered: number;
  total: number;
  ratio: number;
  items: { field: string; file: string; expected: string; covered: boolean }[];
}> {
  const read = async (file: string) =>
    fs.readFile(path.join(root, file), 'utf8').catch(() => '');
  const name = String(spec.name ?? '');
  const checks: { field: string; file: string; expected: string }[] = [
    { field: 'name', file: 'catalog-info.yaml', expected: `name: ${name}` },
    {
      field: 'owner',
      file: 'catalog-info.yaml',
      expected: `owner: ${spec.owner}`,
    },
    ...(spec.system
      ? [
          {
            field: 'system',
            file: 'catalog-info.yaml',
            expected: `system: ${spec.system}`,
          },
        ]
      : []),
    ...((spec.dependencies ?? []) as string[]).map(d => ({
      field: `dependencies[${d}]`,
      file: 'catalog-info.yaml',
      expected: `- ${d}`,
    })),
    { field: 'resources.cpu', file: 'k8s/deployment.yaml', expected: 'cpu: ' },
    {
      field: 'resources.memoryMb',
      file: 'k8s/deployment.yaml',
      expected: 'memory: ',
    },
    {
      field: 'resources.storageMb',
      file: 'k8s/deployment.yaml',
      expected: 'ephemeral-storage: ',
    },
    {
      field: 'canarySteps',
      file: 'k8s/istio/virtual-service.yaml',
      expected: 'assay.dev/canary-steps',
    },
    {
      field: 'slo.p95Ms',
      file: 'monitoring/prometheus-rules.yaml',
      expected: 'alert: HighLatency',
    },
    {
      field: 'slo.errorRate',
      file: 'monitoring/prometheus-rules.yaml',
      expected: 'alert: HighErrorRate',
    },
    {
      field: 'slo.availability',
      file: 'monitoring/prometheus-rules.yaml',
      expected: 'alert: ErrorBudgetBurnFast',
    },
    {
      field: 'mode',
      file: 'catalog-info.yaml',
      expected: `assay.dev/compliance-mode: ${spec.mode}`,
    },
    {
      field: 'runtime',
      file: spec.runtime === 'node' ? 'package.json' : 'requirements.txt',
      expected: spec.runtime === 'node' ? 'prom-client' : 'prometheus-client',
    },
  ];
  const items = await Promise.all(
    checks.map(async c => ({
      ...c,
      covered: (await read(c.file)).includes(c.expected),
    })),
  );
  const covered = items.filter(i => i.covered).length;
  return { covered, total: items.length, ratio: covered / items.length, items };
}

function purlOf(type: 'npm' | 'pypi', name: string, version: string) {
  const encoded =
    type === 'npm' && name.startsWith('@')
      ? `%40${name.slice(1)}`
      : encodeURIComponent(name).replace(/%2F/g, '/');
  return `pkg:${type}/${encoded}@${encodeURIComponent(version)}`;
}

/**
 * A CycloneDX 1.5 SBOM of the dependencies the generated service declares
 * (package.json / requirements.txt). CI replaces it with one of the built
 * image (the pipeline's `sbom` evidence); this one is what onboarding
 * committed to.
 */
export async function declaredDependenciesSbom(
  root: string,
  meta: { name: string; featureId: string; runId: string; generatedAt: string },
) {
  const components: any[] = [];
  const pkg = await fs
    .readFile(path.join(root, 'package.json'), 'utf8')
    .then(JSON.parse)
    .catch(() => undefined);
  for (const [scope, deps] of [
    ['required', pkg?.dependencies],
    ['optional', pkg?.devDependencies],
  ] as const) {
    for (const [name, range] of Object.entries<string>(deps ?? {})) {
      const version = range.replace(/^[\^~>=<\s]+/, '');
      components.push({
        type: 'library',
        'bom-ref': purlOf('npm', name, version),
        name,
        version,
        scope,
        purl: purlOf('npm', name, version),
      });
    }
  }
  const requirements = await fs
    .readFile(path.join(root, 'requirements.txt'), 'utf8')
    .catch(() => '');
  for (const line of requirements.split('\n')) {
    const m = /^\s*([A-Za-z0-9._-]+)\s*==\s*([^\s;#]+)/.exec(line);
    if (!m) continue;
    components.push({
      type: 'library',
      'bom-ref': purlOf('pypi', m[1].toLowerCase(), m[2]),
      name: m[1],
      version: m[2],
      scope: 'required',
      purl: purlOf('pypi', m[1].toLowerCase(), m[2]),
    });
  }
  const digest = createHash('sha256')
    .update(`${meta.featureId}/${meta.runId}`)
    .digest('hex');
  const serial = [
    digest.slice(0, 8),
    digest.slice(8, 12),
    `4${digest.slice(13, 16)}`,
    `8${digest.slice(17, 20)}`,
    digest.slice(20, 32),
  ].join('-');
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: `urn:uuid:${serial}`,
    version: 1,
    metadata: {
      timestamp: meta.generatedAt,
      tools: {
        components: [{ type: 'application', name: 'assay onboarding' }],
      },
      component: {
        type: 'application',
        'bom-ref': `service:${meta.name}`,
        name: meta.name,
        properties: [
          { name: 'assay:featureId', value: meta.featureId },
          { name: 'assay:runId', value: meta.runId },
        ],
      },
    },
    components,
    dependencies: [
      {
        ref: `service:${meta.name}`,
        dependsOn: components.map(c => c['bom-ref']),
      },
    ],
  };
}
