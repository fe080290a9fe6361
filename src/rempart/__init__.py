"""Rempart: fight cyberharassment: report, preserve evidence, get help, act."""

__version__ = "0.1.0"
