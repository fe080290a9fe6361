"""Master keys held by AWS KMS (or a KMS-compatible service): the key material never leaves it.

``AwsKmsKeyManager`` implements ``rempart.evidence.keys.KeyManager``. A data key is wrapped by
``Encrypt`` under a symmetric KMS key and unwrapped by ``Decrypt`` naming that same key, both
with a fixed encryption context: KMS binds the context into the ciphertext, so a blob encrypted
for another purpose with the same key does not unwrap here. Key ids are KMS key ids (the UUID,
not the ARN). The alias (``alias/rempart-evidence`` by default) names the active key; it and its
first key are created on first use. Every key Rempart creates is tagged with its purpose and the
alias, so that deployments sharing an account never list, rotate or destroy each other's keys.

KMS cannot destroy a key at once: ``destroy_key`` disables it (unusable immediately) and
schedules its deletion after the shortest window KMS allows, 7 days.
"""

from __future__ import annotations

import re
from typing import Any

from rempart.evidence.interface import EvidenceIntegrityError
from rempart.evidence.keys import KeyManagerError

DEFAULT_ALIAS = "alias/rempart-evidence"
# Bound into every wrapped data key: KMS refuses to decrypt it under any other context.
ENCRYPTION_CONTEXT = {"rempart-purpose": "evidence-vault-data-key"}
PURPOSE_TAG = ("rempart-purpose", "evidence-vault-master-key")
ALIAS_TAG = "rempart-alias"
DELETION_WINDOW_DAYS = 7  # the minimum KMS accepts
# Disabled keys can be enabled again, so data keys under them are not lost: still listed.
LISTED_STATES = frozenset({"Enabled", "Disabled"})
_KMS_KEY_ID = re.compile(r"^(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}"
                         r"-[0-9a-f]{12})$", re.IGNORECASE)
_ALIAS = re.compile(r"^alias/[A-Za-z0-9/_-]{1,250}$")


def _reason(exc: Exception) -> str:
    """One line naming what KMS answered (its error code and message hold no key material)."""
    from botocore.exceptions import ClientError

    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        text = f"{error.get('Code', 'error')}: {error.get('Message', '')}".rstrip(": ")
    else:
        text = f"{type(exc).__name__}: {exc}"
    return " ".join(text.split())


def _code(refusal: KeyManagerError) -> str:
    """The KMS error code behind a refusal raised by ``AwsKmsKeyManager._call``."""
    from botocore.exceptions import ClientError

    cause = refusal.__cause__
    if isinstance(cause, ClientError):
        return str(cause.response.get("Error", {}).get("Code", ""))
    return ""


class AwsKmsKeyManager:
    def __init__(self, client: Any, alias: str = DEFAULT_ALIAS) -> None:
        if not _ALIAS.match(alias) or alias.startswith("alias/aws/"):
            raise KeyManagerError(f"REMPART_KMS_ALIAS: {alias!r} is not a customer alias "
                                  "(alias/<name>)")
        self.client, self.alias = client, alias

    @classmethod
    def connect(cls, endpoint_url: str | None, region: str | None,
                alias: str = DEFAULT_ALIAS) -> AwsKmsKeyManager:
        import boto3
        from botocore.exceptions import BotoCoreError

        # Credentials come from the standard AWS variables, files or instance roles.
        try:
            client = boto3.client("kms", endpoint_url=endpoint_url, region_name=region)
        except (BotoCoreError, ValueError) as exc:
            raise KeyManagerError(f"KMS client: {_reason(exc)} (set REMPART_KMS_REGION)"
                                  ) from None
        return cls(client, alias)

    def _call(self, operation: str, key_id: str, **params: Any) -> dict[str, Any]:
        """One KMS call; a refusal becomes a ``KeyManagerError`` naming the key and the reason."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            answer: dict[str, Any] = getattr(self.client, operation)(**params)
        except (ClientError, BotoCoreError) as exc:
            raise KeyManagerError(f"KMS {operation} with {key_id}: {_reason(exc)}") from exc
        return answer

    def _describe(self, key_id: str) -> dict[str, Any]:
        metadata: dict[str, Any] = self._call("describe_key", key_id, KeyId=key_id)["KeyMetadata"]
        return metadata

    def _usable(self, key_id: str) -> dict[str, Any]:
        """The key's metadata, if it is a KMS key id and the key is enabled. Checked here as
        well as by KMS, because some KMS-compatible servers do not refuse disabled keys."""
        if not _KMS_KEY_ID.match(key_id):
            raise KeyManagerError(f"master key {key_id!r} is not a KMS key id (wrapped by "
                                  "another key manager?)")
        metadata = self._describe(key_id)
        if metadata.get("KeyState") != "Enabled":
            raise KeyManagerError(f"master key {key_id} is {metadata.get('KeyState')}, "
                                  "not Enabled")
        return metadata

    def _is_ours(self, key_id: str) -> bool:
        tags = self._call("list_resource_tags", key_id, KeyId=key_id).get("Tags", [])
        found = {t["TagKey"]: t["TagValue"] for t in tags}
        return (found.get(PURPOSE_TAG[0]) == PURPOSE_TAG[1]
                and found.get(ALIAS_TAG) == self.alias)

    def active_key_id(self) -> str:
        try:
            metadata = self._describe(self.alias)
        except KeyManagerError as exc:
            if _code(exc) != "NotFoundException":
                raise
            return self.create_key()  # first use: no alias yet
        if metadata.get("KeyState") != "Enabled":
            raise KeyManagerError(f"{self.alias} points to key {metadata['KeyId']}, which is "
                                  f"{metadata.get('KeyState')}")
        return str(metadata["KeyId"])

    def key_ids(self) -> list[str]:
        """Rempart's keys under this alias that are enabled or disabled (not being deleted)."""
        found = []
        for page in self.client.get_paginator("list_keys").paginate():
            for entry in page.get("Keys", []):
                key_id = entry["KeyId"]
                if (self._describe(key_id).get("KeyState") in LISTED_STATES
                        and self._is_ours(key_id)):
                    found.append(key_id)
        return sorted(found)

    def wrap(self, key_id: str, data_key: bytes) -> bytes:
        if not _KMS_KEY_ID.match(key_id):
            raise KeyManagerError(f"master key {key_id!r} is not a KMS key id")
        answer = self._call("encrypt", key_id, KeyId=key_id, Plaintext=data_key,
                            EncryptionContext=ENCRYPTION_CONTEXT)
        if not str(answer.get("KeyId", "")).endswith(f"key/{key_id}"):
            raise KeyManagerError(f"KMS encrypted under {answer.get('KeyId')}, not {key_id}")
        return bytes(answer["CiphertextBlob"])

    def unwrap(self, key_id: str, wrapped: bytes) -> bytes:
        arn = self._usable(key_id)["Arn"]
        try:
            answer = self._call("decrypt", key_id, KeyId=arn, CiphertextBlob=wrapped,
                                EncryptionContext=ENCRYPTION_CONTEXT)
        except KeyManagerError as exc:
            # An altered blob, another context or another key: the wrapped key is not what it
            # claims to be, as with a file key that does not unwrap.
            if _code(exc) in ("InvalidCiphertextException", "IncorrectKeyException"):
                raise EvidenceIntegrityError(f"data key does not unwrap under {key_id}"
                                             ) from None
            raise
        if answer.get("KeyId") != arn:
            raise EvidenceIntegrityError(f"data key was wrapped under {answer.get('KeyId')}, "
                                         f"not {key_id}")
        return bytes(answer["Plaintext"])

    def create_key(self) -> str:
        """A new symmetric KMS key tagged as Rempart's; the alias then points at it."""
        tags = [{"TagKey": PURPOSE_TAG[0], "TagValue": PURPOSE_TAG[1]},
                {"TagKey": ALIAS_TAG, "TagValue": self.alias}]
        metadata = self._call("create_key", self.alias, KeySpec="SYMMETRIC_DEFAULT",
                              KeyUsage="ENCRYPT_DECRYPT", Tags=tags,
                              Description=f"Rempart evidence vault master key ({self.alias})"
                              )["KeyMetadata"]
        key_id = str(metadata["KeyId"])
        try:
            self._call("update_alias", self.alias, AliasName=self.alias, TargetKeyId=key_id)
        except KeyManagerError as exc:
            if _code(exc) != "NotFoundException":
                raise
            self._call("create_alias", self.alias, AliasName=self.alias, TargetKeyId=key_id)
        return key_id

    def destroy_key(self, key_id: str) -> None:
        """Disable the key (unusable at once), then schedule its deletion in 7 days: KMS
        cannot delete a key immediately."""
        if key_id == self.active_key_id():
            raise KeyManagerError("the active master key cannot be destroyed")
        if not _KMS_KEY_ID.match(key_id) or not self._is_ours(key_id):
            raise KeyManagerError(f"{key_id} is not a Rempart master key under {self.alias}")
        if self._describe(key_id).get("KeyState") == "Enabled":
            self._call("disable_key", key_id, KeyId=key_id)
        self._call("schedule_key_deletion", key_id, KeyId=key_id,
                   PendingWindowInDays=DELETION_WINDOW_DAYS)
