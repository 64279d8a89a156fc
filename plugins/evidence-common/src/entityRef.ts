/**
 * A parsed, normalized entity reference.
 *
 * @public
 */
export type EntityRefParts = { kind: string; namespace: string; name: string };

const KIND = /^[a-z][a-z0-9]*$/;
const NAMESPACE = /^[a-z0-9]+(?:-+[a-z0-9]+)*$/; // a DNS label, as in Backstage
const NAME = /^[a-zA-Z0-9](?:[-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/;
const MAX_PART = 63;

function check(ok: boolean, ref: string, why: string): void {
  if (!ok)
    throw new TypeError(`invalid entity ref ${JSON.stringify(ref)}: ${why}`);
}

/**
 * Parses `kind:[namespace/]name` strictly: the kind is required, the
 * namespace defaults to `default`, kind and namespace are lowercased, and
 * every part must follow Backstage's naming rules (at most 63 characters).
 * Throws a TypeError when invalid.
 *
 * @public
 */
export function parseEntityRefStrict(ref: string): EntityRefParts {
  check(typeof ref === 'string', String(ref), 'not a string');
  const colon = ref.indexOf(':');
  check(colon > 0, ref, 'expected kind:[namespace/]name');
  const kind = ref.slice(0, colon).toLocaleLowerCase('en-US');
  const rest = ref.slice(colon + 1);
  const slash = rest.indexOf('/');
  const namespace =
    slash < 0 ? 'default' : rest.slice(0, slash).toLocaleLowerCase('en-US');
  const name = slash < 0 ? rest : rest.slice(slash + 1);
  check(KIND.test(kind) && kind.length <= MAX_PART, ref, 'invalid kind');
  check(
    NAMESPACE.test(namespace) && namespace.length <= MAX_PART,
    ref,
    'invalid namespace',
  );
  check(NAME.test(name) && name.length <= MAX_PART, ref, 'invalid name');
  return { kind, namespace, name };
}

/**
 * Formats `kind:namespace/name` with kind and namespace lowercased (the same
 * form as Backstage's `stringifyEntityRef`). Throws a TypeError when invalid.
 *
 * @public
 */
export function stringifyEntityRef(ref: EntityRefParts): string {
  const s = `${ref.kind}:${ref.namespace}/${ref.name}`;
  const parsed = parseEntityRefStrict(s);
  return `${parsed.kind}:${parsed.namespace}/${parsed.name}`;
}

/**
 * Normalizes an entity ref string to `kind:namespace/name`, all lowercase:
 * the one spelling the evidence log records and commits to. The catalog
 * compares entity refs case-insensitively (`Component:default/Service-A` and
 * `component:default/service-a` are the same entity), so a ref that kept the
 * name's case would let one entity have several chains.
 *
 * @public
 */
export function normalizeEntityRef(ref: string): string {
  const { kind, namespace, name } = parseEntityRefStrict(ref);
  return `${kind}:${namespace}/${name.toLocaleLowerCase('en-US')}`;
}
