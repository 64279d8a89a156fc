import { AUDIT_PACK_VERIFY_SCRIPT } from './auditPackScript';

/** The README of an audit pack (see buildAuditPackFiles). @internal */
export function auditPackReadme(args: {
  entityRef: string;
  origin: string;
  treeSize: number;
  records: number;
  /** the checkpoint commits to entity heads and the pack has proofs/head.json */
  headsBound?: boolean;
}): string {
  const fence = '```';
  return `# Evidence audit pack: ${args.entityRef}

This pack holds the complete evidence chain of \`${args.entityRef}\` (${
    args.records
  } records)
and proves that every record is in the append-only evidence log \`${
    args.origin
  }\`
as of the signed checkpoint at tree size ${
    args.treeSize
  }. Everything below can be
checked with standard tools only.

| file | content |
|---|---|
| \`records/<seq>-<hash>.json\` | each record's exact canonical bytes (RFC 8785 JSON); \`<hash>\` is their SHA-256 |
| \`proofs/<seq>.json\` | the record's leaf index and RFC 6962 inclusion proof (hex, bottom-up) |
| \`proofs/head.json\` | the entity's head (newest record) in the heads tree the checkpoint signs, with its proof (base64) |
| \`checkpoint.txt\` | the log checkpoint (origin, tree size, base64 root), a C2SP signed note |
| \`public-key.txt\` | the checkpoint signer's verifier key (\`name+keyid+base64(0x01 ‖ Ed25519 key)\`) |
| \`bundle.json\` | all of the above in one JSON document (what \`assay evidence verify --bundle\` reads) |
| \`verify_pack.py\` | the Python script shown below |

## 0. Trust the key, not the pack

A pack only proves something relative to the signing key. Compare \`public-key.txt\` with the
key your Assay operators publish out of band before relying on anything else here.

## 1. Record hashes (sha256sum)

${fence}sh
for f in records/*.json; do
  h=$(sha256sum "$f" | cut -d' ' -f1)
  case "$f" in *-"$h".json) echo "ok   $f" ;; *) echo "FAIL $f" ;; esac
done
${fence}

## 2. Hash-chain links

Each record's \`previousHash\` is the hash of the record before it (\`null\` for seq 1). RFC 8785
sorts keys, so the first \`"previousHash":\` in a record is the top-level field:

${fence}sh
prev=null
for f in $(ls records | sort -n); do
  link=$(grep -oE '"previousHash":(null|"[0-9a-f]*")' "records/$f" | head -n1 | cut -d: -f2 | tr -d '"')
  [ "$link" = "$prev" ] && echo "ok   $f" || echo "FAIL $f"
  prev=$(echo "$f" | sed 's/^[0-9]*-\\(.*\\)\\.json$/\\1/')
done
${fence}

## 3. Inclusion in the checkpoint (python3, standard library)

Leaf hash = SHA-256(0x00 ‖ record bytes), node hash = SHA-256(0x01 ‖ left ‖ right) (RFC 6962).
Run \`python3 verify_pack.py .\`; it also repeats checks 1 and 2:

${fence}python
${AUDIT_PACK_VERIFY_SCRIPT}${fence}

## 4. Nothing was removed after the newest record (entity heads)

Inclusion proofs show the records in this pack are in the log; they cannot show that newer
records of the entity were not left out. For that, every checkpoint carries one extension line
after the root hash (C2SP tlog-checkpoint allows extension lines):

${fence}text
assay-heads/v1 <count> <base64 root>
${fence}

\`root\` is the RFC 6962 Merkle Tree Hash over \`count\` leaves, one per entity that has at least
one record among the first \`treeSize\` leaves of the log, sorted by entity ref (UTF-8 byte
order). An entity's leaf data is the RFC 8785 canonical JSON of the triple
\`[entityRef, seq, hash]\` of its newest record in that tree, e.g.
\`["component:default/service-a",42,"3f…"]\`; leaf hash = SHA-256(0x00 ‖ leaf data), node hash
= SHA-256(0x01 ‖ left ‖ right), exactly as for the log itself. \`proofs/head.json\` holds the
entity's leaf (\`index\`, \`entityRef\`, \`seq\`, \`hash\`) and its audit path \`proof\` (base64,
bottom-up); \`head: null\` with the adjacent leaves \`left\` / \`right\` proves the entity had no
record in that tree. The same proof is served live by
\`GET /api/evidence/v1/entities/<kind>/<namespace>/<name>/head-proof?treeSize=<n>\`.

Check: the path leads from the leaf to \`root\` (same algorithm as step 3, with tree size
\`count\`), and the head's \`seq\`/\`hash\` are those of the last file in \`records/\`. Fewer records
than the committed head means the newest ones were removed (**truncated**); the same seq with
another hash means the **head was replaced**. \`verify_pack.py\` does this check.
${
  args.headsBound
    ? ''
    : "\nThis pack's checkpoint was signed before heads were bound to checkpoints, so it has no `proofs/head.json`: only the inclusion of the records below can be checked.\n"
}
## 5. Checkpoint signature (Ed25519)

The signed message is \`checkpoint.txt\` up to (not including) its blank line; the signature line is
\`— <name> base64(4-byte key id ‖ 64-byte Ed25519 signature)\`. With OpenSSL 3:

${fence}sh
sed '/^$/,$d' checkpoint.txt > checkpoint.body
grep '^— ' checkpoint.txt | head -n1 | cut -d' ' -f3 | base64 -d | tail -c 64 > checkpoint.sig
cut -d+ -f3- public-key.txt | base64 -d | tail -c 32 > key.raw
printf '\\060\\052\\060\\005\\006\\003\\053\\145\\160\\003\\041\\000' | cat - key.raw > key.der
openssl pkeyutl -verify -pubin -keyform DER -inkey key.der -rawin -in checkpoint.body -sigfile checkpoint.sig
${fence}

or in Go with \`golang.org/x/mod/sumdb/note\`:

${fence}go
v, err := note.NewVerifier(strings.TrimSpace(string(publicKeyTxt)))
n, err := note.Open(checkpointTxt, note.VerifierList(v)) // n.Text is the checkpoint
${fence}

## What this does not prove

The checkpoint covers the log up to tree size ${
    args.treeSize
  }; records appended later are not in
this pack. The signature, and with it the heads line, is only as trustworthy as the key (step 0). To show that a later checkpoint extends this one, ask the log for a consistency proof.
`;
}
