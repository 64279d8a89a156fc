/**
 * A python3 (standard library only) script that re-checks an audit pack:
 * record hashes, seq continuity, previousHash links, RFC 6962 inclusion of
 * every record in the checkpoint tree and, when the checkpoint commits to
 * entity heads, that the last record is the committed head. It does not check the checkpoint
 * signature (python's standard library has no Ed25519); see the README.
 *
 * @public
 */
export const AUDIT_PACK_VERIFY_SCRIPT = `#!/usr/bin/env python3
"""Re-check an Assay audit pack with the Python standard library only.

Usage: python3 verify_pack.py [PACK_DIR]
Checks record hashes, seq order, previousHash links and the RFC 6962
inclusion proof of every record against the root in checkpoint.txt.
"""
import base64, hashlib, json, os, sys

pack = sys.argv[1] if len(sys.argv) > 1 else "."
H = lambda b: hashlib.sha256(b).digest()

note = open(os.path.join(pack, "checkpoint.txt"), "rb").read().decode("utf-8")
body = note[: note.rindex("\\n\\n") + 1]
origin, size, root_b64 = body.split("\\n")[:3]
tree_size, root = int(size), base64.b64decode(root_b64, validate=True)
print("checkpoint:", origin, "tree size", tree_size, "root", root.hex())


def root_from_proof(index, size, leaf, proof):
    """RFC 9162 section 2.1.3.2."""
    if index >= size:
        raise ValueError("leaf index is beyond the tree size")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ValueError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = H(b"\\x01" + p + r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = H(b"\\x01" + r + p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ValueError("inclusion proof is too short")
    return r


names = sorted(os.listdir(os.path.join(pack, "records")), key=lambda f: int(f.split("-")[0]))
prev, expected_seq, failures = None, 1, 0
for name in names:
    seq, stored = name[: -len(".json")].split("-")
    data = open(os.path.join(pack, "records", name), "rb").read()
    record = json.loads(data)
    proof = json.load(open(os.path.join(pack, "proofs", seq + ".json")))
    problems = []
    if hashlib.sha256(data).hexdigest() != stored:
        problems.append("SHA-256 of the record differs from its file name")
    if record["seq"] != int(seq) or int(seq) != expected_seq:
        problems.append("expected seq %d" % expected_seq)
    if record["previousHash"] != prev:
        problems.append("previousHash does not link to the previous record")
    try:
        path = [bytes.fromhex(h) for h in proof["inclusionProof"]]
        if root_from_proof(proof["leafIndex"], tree_size, H(b"\\x00" + data), path) != root:
            problems.append("inclusion proof does not lead to the checkpoint root")
    except ValueError as e:
        problems.append(str(e))
    print("FAIL" if problems else "ok  ", "record", seq, "; ".join(problems))
    failures += bool(problems)
    prev, expected_seq = stored, expected_seq + 1

# The entity's head, as the checkpoint's "assay-heads/v1 <count> <root>" line commits to it.
heads = [l for l in body.split("\\n")[3:] if l.startswith("assay-heads/v1 ")]
if heads:
    _, count, heads_root_b64 = heads[0].split(" ")
    count, heads_root = int(count), base64.b64decode(heads_root_b64, validate=True)
    head_file = os.path.join(pack, "proofs", "head.json")
    problems = []
    if not os.path.exists(head_file):
        problems.append("the checkpoint commits to entity heads but proofs/head.json is missing")
    else:
        head = json.load(open(head_file)).get("head")
        last = (expected_seq - 1, prev)
        if head is None:
            if names:
                problems.append("the checkpoint commits to no record of this entity")
        else:
            leaf = json.dumps([head["entityRef"], head["seq"], head["hash"]],
                              separators=(",", ":"), ensure_ascii=False).encode("utf-8")
            try:
                path = [base64.b64decode(p, validate=True) for p in head["proof"]]
                if root_from_proof(head["index"], count, H(b"\\x00" + leaf), path) != heads_root:
                    problems.append("the head proof does not lead to the heads root in the checkpoint")
            except ValueError as e:
                problems.append("head proof: " + str(e))
            if names and head["entityRef"] != record["entityRef"]:
                problems.append("the head proof is for " + head["entityRef"])
            elif last[0] < head["seq"]:
                problems.append("truncated: the checkpoint commits to head #%d but the records end at #%d"
                                % (head["seq"], last[0]))
            elif last != (head["seq"], head["hash"]):
                problems.append("head replaced: the checkpoint commits to head #%d %s"
                                % (head["seq"], head["hash"]))
    print("FAIL" if problems else "ok  ", "head", "; ".join(problems))
    failures += bool(problems)

print("%d records, %d failed" % (len(names), failures))
sys.exit(1 if failures or not names else 0)
`;
