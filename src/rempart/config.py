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

from rempart.private_files import create_once

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
    # The organisation's answer time to a report, told to the reporter (REMPART_ANSWER_HOURS).
    answer_hours: int = Field(default=72, ge=1, le=24 * 60)
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
    # The ledger's witness: the latest signed checkpoint, outside the database (default
    # <data>/witness/latest-checkpoint). Put it on another disk or an append-only mount.
    checkpoint_file: Path | None = None
    # Background jobs: "sqlite" (default, in the data folder) or "redis".
    jobs_backend: str = "sqlite"
    redis_url: str = "redis://127.0.0.1:6379/0"
    jobs_immediate: bool = Field(default=False, description="run jobs inline (tests)")
    # Page captures (issue 14.3): the fetch refuses non-public addresses unless this is set
    # (tests only), pages over the size limit and servers slower than the timeout (whole fetch).
    capture_allow_private: bool = False
    capture_max_bytes: int = 10 * MIB
    capture_timeout_seconds: float = 20.0
    capture_max_redirects: int = 5
    capture_chromium: Path = Path("/usr/bin/chromium")
    # What a reporter may ask of the portal: at most this many captures per case per hour.
    capture_per_case_per_hour: int = 10
    secure_cookies: bool = False
    # Follow-through (issue 13): the directory of platforms for takedowns (unset: the one shipped
    # in rempart/domain/data/platforms.yaml), the organisation that sends the notices.
    platforms_file: Path | None = None
    organisation_name: str = "Rempart"
    organisation_email: str = ""  # the notifier's address in Art. 16 notices (and Reply-To)
    trusted_flagger: bool = False  # Art. 22 status granted to the organisation
    # Mail to reporters ("you have a new message") and to platforms: smtp://[user:pass@]host:port
    # (STARTTLS when offered, or ?starttls=require), smtps:// for TLS from the start.
    smtp_url: str | None = None
    smtp_from: str = "rempart@localhost"
    smtp_timeout_seconds: float = 30.0
    # The address reporters open their case at, for the notification e-mail.
    public_url: str = "http://127.0.0.1:8000"
    # Background jobs inside the web process (``rempart serve`` on the embedded SQLite queue):
    # unset means "yes with the sqlite backend, no with redis" (production runs ``rempart worker``).
    jobs_inline: bool | None = None
    jobs_inline_workers: int = 2

    # Where generated secrets go (log key, master keys, session, TOTP and blind-index keys):
    # default <data>/secrets, apart from the database in <data>/db. Put it on another volume.
    secrets_dir: Path | None = None

    @property
    def resolved_secrets_dir(self) -> Path:
        return self.secrets_dir or self.data_dir / "secrets"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        legacy = self.data_dir / "rempart.db"  # data folders made before the db/ subfolder
        if legacy.exists():
            return f"sqlite:///{legacy.resolve()}"
        folder = self.data_dir / "db"
        if self.data_dir.is_dir():
            folder.mkdir(mode=0o700, exist_ok=True)
        return f"sqlite:///{(folder / 'rempart.db').resolve()}"

    def ensure_data_dir(self) -> Path:
        """Create the data folder (mode 0700) and return its absolute path."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.data_dir, 0o700)
        if not self.database_url and not (self.data_dir / "rempart.db").exists():
            (self.data_dir / "db").mkdir(mode=0o700, exist_ok=True)
        return self.data_dir.resolve()

    def secret_bytes(self, name: str, length: int = 32) -> bytes:
        """A secret read from ``REMPART_<NAME>_FILE`` or generated once into the data folder."""
        env_file = os.environ.get(f"REMPART_{name.upper()}_FILE")
        if env_file:
            return Path(env_file).read_bytes().strip()
        self.ensure_data_dir()
        path = self.resolved_secrets_dir / name
        return create_once(path, lambda: secrets.token_hex(length).encode()).strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
