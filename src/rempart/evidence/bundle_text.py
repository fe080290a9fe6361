"""VERIFY.md: how to check an evidence bundle by hand, in French and English.

Kept apart from bundle.py because it is prose; every command here is run by the tests of the
bundle (sha256sum, openssl, python3 without third-party packages).
"""

from __future__ import annotations

# The one-liners below are deliberately standard-library only, so that an expert can run them
# on any machine with Python 3 and OpenSSL 3.
_EXTRACT_NOTE = (
    "python3 -c \"import base64,sys;n=open(sys.argv[1],encoding='utf-8').read();"
    "t,s=n.rsplit(chr(10)*2,1);open('note.txt','w',encoding='utf-8',newline='').write(t+chr(10));"
    "open('note.sig','wb').write(base64.b64decode(s.split(' ')[-1])[4:])\" {note}"
)
_VERIFY_NOTE = ("openssl pkeyutl -verify -pubin -inkey log-key.pem -rawin -in note.txt "
                "-sigfile note.sig")
_INCLUSION = '''python3 - <<'EOF'
import base64, hashlib, json
H = lambda b: hashlib.sha256(b).digest()
lines = open("checkpoint.txt", encoding="utf-8").read().split("\\n")
size, root = int(lines[1]), base64.b64decode(lines[2])
for e in json.load(open("custody.json"))["events"]:
    r = H(b"\\x00" + e["leaf"].encode()); fn, sn = e["index"], size - 1   # RFC 9162 2.1.3.2
    for p in map(bytes.fromhex, e["inclusion_proof"]):
        if fn & 1 or fn == sn:
            r = H(b"\\x01" + p + r)
            while not fn & 1 and fn: fn, sn = fn >> 1, sn >> 1
        else:
            r = H(b"\\x01" + r + p)
        fn, sn = fn >> 1, sn >> 1
    print(e["index"], "OK" if sn == 0 and r == root else "FAIL", e["leaf"])
EOF'''

_CONSISTENCY = '''python3 - <<'EOF'
import base64, hashlib, json
H = lambda b: hashlib.sha256(b).digest()
def size_root(note):
    lines = note.split("\\n"); return int(lines[1]), base64.b64decode(lines[2])
second, second_hash = size_root(open("checkpoint.txt", encoding="utf-8").read())
for receipt in json.load(open("receipts.json"))["receipts"]:
    first, first_hash = size_root(receipt["checkpoint"])   # RFC 9162 2.1.4.2
    path = [bytes.fromhex(h) for h in receipt["consistency_proof"]]
    if first & (first - 1) == 0: path.insert(0, first_hash)
    fn, sn = first - 1, second - 1
    while fn & 1: fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if fn & 1 or fn == sn:
            fr, sr = H(b"\\x01" + c + fr), H(b"\\x01" + c + sr)
            while not fn & 1 and fn: fn, sn = fn >> 1, sn >> 1
        else:
            sr = H(b"\\x01" + sr + c)
        fn, sn = fn >> 1, sn >> 1
    ok = (fr, sr, sn) == (first_hash, second_hash, 0)
    print(first, "->", second, "OK" if ok else "FAIL")
EOF'''

TEMPLATE = """# Vérifier ce dossier de preuves / Verifying this evidence bundle

Clé publique du journal / log public key: `{key}`

Comparez cette clé avec celle publiée par l'instance (`rempart ledger public-key`).
Compare this key with the one the instance publishes (`rempart ledger public-key`).

Vérification complète automatique / full automatic check:
`rempart verify bundle.zip --key "<clé publiée / published key>"` (ou / or `--receipt preuve.json`,
le reçu de dépôt / the upload receipt). Sans l'un des deux, le signataire n'est pas vérifié /
without either, the signer is not verified (exit 3).

## Français

Décompressez le dossier (`unzip bundle.zip -d preuves && cd preuves`), puis :

1. **Empreintes des fichiers.** `sha256sum -c SHA256SUMS` doit afficher `OK` pour chaque
   fichier. Aucun fichier ne doit exister en dehors de ceux listés, de `SHA256SUMS` et de
   `SHA256SUMS.note` (`find . -type f | sort`).
2. **Signature de la liste.** `SHA256SUMS.note` est une note signée (format C2SP signed-note,
   Ed25519) dont le texte est la ligne `rempart-evidence-bundle/1` suivie du contenu exact de
   `SHA256SUMS` :

       {extract_sums}
       {verify_note}
       tail -n +2 note.txt | cmp - SHA256SUMS

   OpenSSL doit répondre `Signature Verified Successfully` et `cmp` ne rien afficher.
3. **Point de contrôle du journal.** `checkpoint.txt` porte la taille de l'arbre de Merkle et sa
   racine (base64), signées par la même clé :

       {extract_checkpoint}
       {verify_note}

4. **Preuves d'inclusion.** Chaque événement de `custody.json` (réception, consultation, export,
   partage, destruction) est une feuille JSON canonique (RFC 8785) de l'arbre (RFC 9162). Le
   programme ci-dessous recalcule la racine depuis chaque feuille et sa preuve ; il doit
   afficher `OK` partout :

{inclusion}

5. **Fichiers et manifeste.** Pour chaque élément de `manifest.json`, l'empreinte `sha256` doit
   être celle du fichier `file` (étape 1) et apparaître dans l'événement `item_received` de même
   identifiant (étape 4), dont l'index est `receipt.leaf_index`.
6. **Reçu de dépôt.** `receipts.json` contient le point de contrôle signé remis au dépôt
   (vérifiez sa signature comme à l'étape 3, après l'avoir copié octet pour octet dans un
   fichier) et la preuve de cohérence (RFC 9162 §2.1.4) vers `checkpoint.txt` : le journal n'a
   pas été réécrit entre les deux. Le programme ci-dessous doit afficher `OK` pour chaque reçu :

{consistency}

7. **Horodatage qualifié (si présent).** Pour chaque `timestamps/checkpoint-N.tsr` :

       openssl ts -verify -in timestamps/checkpoint-N.tsr -data checkpoint-N.txt \\
           -CAfile timestamps/checkpoint-N-chain.pem

   où `checkpoint-N.txt` est la note signée de taille N (`checkpoint.txt` ou un reçu de
   `receipts.json`, octet pour octet). `openssl ts -reply -in ... -text` affiche la date.

Les événements ne contiennent que des identifiants, des empreintes, un rôle et une heure UTC :
aucune donnée personnelle ni aucun contenu.

## English

Unzip the bundle (`unzip bundle.zip -d evidence && cd evidence`), then:

1. **File hashes.** `sha256sum -c SHA256SUMS` must print `OK` for every file. No file may exist
   besides those listed, `SHA256SUMS` and `SHA256SUMS.note` (`find . -type f | sort`).
2. **Signature of the list.** `SHA256SUMS.note` is a signed note (C2SP signed-note, Ed25519)
   whose text is the line `rempart-evidence-bundle/1` followed by the exact contents of
   `SHA256SUMS`:

       {extract_sums}
       {verify_note}
       tail -n +2 note.txt | cmp - SHA256SUMS

   OpenSSL must answer `Signature Verified Successfully` and `cmp` print nothing.
3. **Log checkpoint.** `checkpoint.txt` holds the Merkle tree size and root (base64), signed by
   the same key:

       {extract_checkpoint}
       {verify_note}

4. **Inclusion proofs.** Each event in `custody.json` (received, viewed, exported, shared,
   shredded) is a canonical JSON leaf (RFC 8785) of the tree (RFC 9162). The program above (step
   4 in French) recomputes the root from each leaf and its proof; it must print `OK` everywhere.
5. **Files and manifest.** For each item of `manifest.json`, `sha256` must be the hash of its
   `file` (step 1) and appear in the `item_received` event with the same id (step 4), whose index
   is `receipt.leaf_index`.
6. **Upload receipt.** `receipts.json` holds the signed checkpoint given at upload (check its
   signature as in step 3 after copying it byte for byte into a file) and the consistency proof
   (RFC 9162 §2.1.4) to `checkpoint.txt`: the log was not rewritten in between. The second
   program above (step 6 in French) must print `OK` for each receipt.
7. **Trusted timestamp (if present).** For each `timestamps/checkpoint-N.tsr`:

       openssl ts -verify -in timestamps/checkpoint-N.tsr -data checkpoint-N.txt \\
           -CAfile timestamps/checkpoint-N-chain.pem

   where `checkpoint-N.txt` is the signed note of size N (`checkpoint.txt` or a receipt from
   `receipts.json`, byte for byte). `openssl ts -reply -in ... -text` shows the time.

Events hold only ids, hashes, a role and a UTC time: no personal data and no contents.
"""


def verify_text(verifier_key: str) -> str:
    return TEMPLATE.format(
        key=verifier_key,
        extract_sums=_EXTRACT_NOTE.format(note="SHA256SUMS.note"),
        extract_checkpoint=_EXTRACT_NOTE.format(note="checkpoint.txt"),
        verify_note=_VERIFY_NOTE,
        inclusion="\n".join("    " + line for line in _INCLUSION.splitlines()),
        consistency="\n".join("    " + line for line in _CONSISTENCY.splitlines()),
    )
