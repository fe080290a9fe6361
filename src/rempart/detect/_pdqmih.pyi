from typing import Any

# Any object exporting the buffer protocol (numpy arrays here); typed loosely for Python 3.11.
Buffer = Any

def extract_keys(hashes: Buffer, n: int, start: int, length: int, out_keys: Buffer) -> None: ...
def bucket_sort(keys: Buffer, n: int, nbits: int, out_offsets: Buffer,
                out_order: Buffer) -> None: ...
def search(hashes: Buffer, alive: Buffer, n: int,
           tables: tuple[tuple[Buffer, Buffer, int, int, int], ...], queries: Buffer, nq: int,
           radius: int, cap: int) -> tuple[bytes, bytes, bytes]: ...
