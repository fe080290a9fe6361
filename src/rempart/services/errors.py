"""Errors the services raise; each carries a reason safe to show to the person who caused it."""

from __future__ import annotations


class ServiceError(Exception):
    """Base class; ``str(error)`` is the human reason."""


class InvalidReport(ServiceError):
    """The report or message breaks a rule (empty description, no kind...)."""


class UploadRejected(ServiceError):
    """A file is refused: too large, or of a type not allowed (detected from its content)."""


class UploadTooLarge(UploadRejected):
    """A file, or all the files of a report, exceed the configured size limits."""


class CaseAccessDenied(ServiceError):
    """Wrong code or passphrase. Same message whether or not the code exists."""

    def __init__(self) -> None:
        super().__init__("this code and passphrase do not open a case")


class TooManyAttempts(ServiceError):
    """Too many wrong passphrases for this code; said whether or not the code exists."""

    def __init__(self, retry_after: int = 0) -> None:
        super().__init__("too many attempts; try again later")
        self.retry_after = retry_after  # seconds until the next attempt is checked


class CaseNotFound(ServiceError):
    """The case (or the evidence item) does not exist, or is withdrawn."""

    def __init__(self, what: str = "case") -> None:
        super().__init__(f"{what} not found")


class LoginFailed(ServiceError):
    """Wrong e-mail, password or TOTP code, or a disabled account: never says which."""

    def __init__(self) -> None:
        super().__init__("login failed")


class Forbidden(ServiceError):
    """The staff member's role does not allow this action."""

    def __init__(self, action: str = "this action") -> None:
        super().__init__(f"your role does not allow {action}")


class StaffError(ServiceError):
    """Bad input when managing staff accounts (existing e-mail, weak password...)."""
