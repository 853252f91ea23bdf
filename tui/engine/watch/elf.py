"""Exported symbols of an ELF file, read from disk: where a target's Python keeps its runtime.

The watcher reads no memory of the target to learn this: the target's executable or
libpython exports `_PyRuntime` (the interpreter's global state, which holds the main
interpreter's GIL under CPython 3.9 to 3.13) and, from 3.11, `Py_Version`. Their file
addresses plus where /proc/PID/maps says the file is mapped give their addresses in the
target. 64-bit little- and big-endian files only; anything else reads as "no symbols".
"""
from __future__ import annotations

import struct
from typing import BinaryIO, NamedTuple

SHT_DYNSYM = 11
PT_LOAD = 1
MAX_SECTION = 64 << 20  # bytes: a symbol table bigger than this is not a Python's


class Symbol(NamedTuple):
    value: int  # its address in the file's own address space (add the load base)
    size: int
    offset: int  # where its bytes are in the file, for constants read from disk (Py_Version)


class ElfFile(NamedTuple):
    first_load: int  # the lowest PT_LOAD segment's address, page-aligned: the base's reference
    symbols: dict[str, Symbol]


def _read(file: BinaryIO, offset: int, size: int) -> bytes:
    file.seek(offset)
    data = file.read(size)
    if len(data) != size:
        raise ValueError("truncated ELF file")
    return data


def read_elf(path: str, wanted: frozenset[str]) -> ElfFile | None:
    """The `wanted` dynamic symbols of the file at `path`, or None where it is not a 64-bit ELF."""
    try:
        with open(path, "rb") as file:
            ident = file.read(64)
            if len(ident) < 64 or ident[:4] != b"\x7fELF" or ident[4] != 2:
                return None
            order = "<" if ident[5] == 1 else ">"
            phoff, shoff = struct.unpack_from(order + "QQ", ident, 32)
            phentsize, phnum, shentsize, shnum = struct.unpack_from(order + "HHHH", ident, 54)
            loads = []
            for i in range(phnum):
                kind, _, offset, vaddr = struct.unpack_from(order + "IIQQ", _read(file, phoff + i * phentsize, 32))
                if kind == PT_LOAD:
                    loads.append((vaddr, offset))
            sections = [struct.unpack_from(order + "IIQQQQII", _read(file, shoff + i * shentsize, 56))
                        for i in range(shnum)]
            found: dict[str, Symbol] = {}
            for _, kind, _, _, offset, size, link, _ in sections:
                if kind != SHT_DYNSYM or size > MAX_SECTION or link >= len(sections):
                    continue
                strings = _read(file, sections[link][4], min(sections[link][5], MAX_SECTION))
                table = _read(file, offset, size)
                for start in range(0, len(table) - 23, 24):
                    name_at, _, _, _, value, sym_size = struct.unpack_from(order + "IBBHQQ", table, start)
                    end = strings.find(b"\0", name_at)
                    name = strings[name_at:end].decode("ascii", "replace")
                    if name in wanted and value:
                        vaddr, off = max(((v, o) for v, o in loads if v <= value), default=(0, 0))
                        found[name] = Symbol(value, sym_size, value - vaddr + off)
            first = min((vaddr for vaddr, _ in loads), default=0) & ~0xFFF
            return ElfFile(first, found)
    except (OSError, ValueError, struct.error):
        return None
