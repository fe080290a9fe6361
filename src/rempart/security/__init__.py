"""Secrets: argon2id hashing, TOTP, French passphrases and case codes (one module each)."""
