"""Builds the one C extension (exact PDQ matching); all metadata lives in pyproject.toml."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "rempart.detect._pdqmih",
            sources=["src/rempart/detect/_pdqmih.c"],
            extra_compile_args=["-O3", "-mpopcnt", "-std=c11"],
        )
    ]
)
