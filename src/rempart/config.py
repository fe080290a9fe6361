"""Configuration from environment variables (prefix ``REMPART_``), secrets from files.

Secrets are never put in environment variables themselves: either a ``*_FILE`` variable names a
file that holds them (Docker/Kubernetes secrets), or they are generated on first start into the
data folder with mode 0600.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MIB = 1024 * 1024


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REMPART_", extra="ignore")

    data_dir: Path = Path("./var")
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    default_locale: str = "fr"
    # Upload limits: per file and per report (several files at once).
    max_file_bytes: int = 50 * MIB
    max_report_bytes: int = 200 * MIB
    # Staff sessions expire after this many seconds of inactivity.
    staff_session_seconds: int = 8 * 3600
    # Short-lived token returned by the API when a reporter opens a case.
    case_token_seconds: int = 30 * 60
    # Wrong passphrases allowed per case code in the window before the code is locked.
    passphrase_attempts: int = 5
    passphrase_window_seconds: int = 15 * 60
    # Evidence and ledger.
    blob_store: str = "fs"  # "fs" or "s3"
    s3_endpoint_url: str | None = None
    s3_bucket: str = "rempart-evidence"
    s3_region: str = "us-east-1"
    # Master keys: "file" (data folder or REMPART_MASTER_KEY_FILE) or "aws-kms".
    key_manager: str = "file"
    kms_endpoint_url: str | None = None  # a KMS-compatible service; unset: AWS itself
    kms_region: str | None = None  # unset: AWS_REGION / AWS_DEFAULT_REGION
    kms_alias: str = "alias/rempart-evidence"
    tsa_url: str | None = None
    # PEM trust anchor(s) of that authority: a timestamp is kept only if its chain verifies.
    tsa_ca_file: Path | None = None
    checkpoint_every_seconds: int = 60
    # Background jobs: "sqlite" (default, in the data folder) or "redis".
    jobs_backend: str = "sqlite"
    redis_url: str = "redis://127.0.0.1:6379/0"
    jobs_immediate: bool = Field(default=False, description="run jobs inline (tests)")
    secure_cookies: bool = False

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'rempart.db').resolve()}"

    def ensure_data_dir(self) -> Path:
        """Create the data folder (mode 0700) and return its absolute path."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.data_dir, 0o700)
        return self.data_dir.resolve()

    def secret_bytes(self, name: str, length: int = 32) -> bytes:
        """A secret read from ``REMPART_<NAME>_FILE`` or generated once into the data folder."""
        env_file = os.environ.get(f"REMPART_{name.upper()}_FILE")
        if env_file:
            return Path(env_file).read_bytes().strip()
        path = self.ensure_data_dir() / "secrets" / name
        if not path.exists():
            path.parent.mkdir(mode=0o700, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(secrets.token_hex(length).encode())
        return path.read_bytes().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
