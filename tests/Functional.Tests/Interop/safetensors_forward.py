#!/usr/bin/python3
"""An independent reader of Functional's safetensors files, written from the format's specification
(https://huggingface.co/docs/safetensors: u64 little-endian header size N, N bytes of JSON, then the tensors'
bytes, row-major, little-endian) with the standard library only.

usage: safetensors_forward.py MODEL.safetensors INPUT.json OUTPUT.json [--torch]

Reads the network spec from __metadata__["network"], rebuilds the layers from the tensors, runs one forward pass
in evaluation mode on the rows of INPUT.json (a list of lists of numbers) and writes the outputs to OUTPUT.json
(repr of each double, which reads back exactly). With --torch the same pass runs in PyTorch (float64) instead.
"""
import json
import math
import struct
import sys

DTYPES = {"F64": ("d", 8), "F32": ("f", 4)}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError("file shorter than the 8-byte header size")
    (n,) = struct.unpack_from("<Q", data, 0)
    if 8 + n > len(data):
        raise ValueError(f"header size {n} exceeds the file")
    header = json.loads(data[8 : 8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    body = data[8 + n :]
    tensors = {}
    spans = []
    for name, info in header.items():
        code, size = DTYPES[info["dtype"]]
        shape = info["shape"]
        begin, end = info["data_offsets"]
        count = 1
        for d in shape:
            count *= d
        if end - begin != count * size or end > len(body):
            raise ValueError(f"tensor {name}: offsets [{begin}, {end}] do not hold {shape} {info['dtype']}")
        flat = list(struct.unpack_from(f"<{count}{code}", body, begin))
        tensors[name] = (shape, flat)
        spans.append((begin, end))
    position = 0
    for begin, end in sorted(spans):
        if begin != position:
            raise ValueError("the tensors do not tile the data buffer")
        position = end
    if position != len(body):
        raise ValueError("bytes after the last tensor")
    return metadata, tensors


def matrix(tensors, name):
    """A row-major 2-D tensor as a list of rows."""
    (rows, cols), flat = tensors[name]
    return [flat[i * cols : (i + 1) * cols] for i in range(rows)]


def vector(tensors, name):
    shape, flat = tensors[name]
    assert shape[0] == 1, f"{name}: expected a 1×n row, got {shape}"
    return flat


def sigmoid(v):
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


def window(image, layer, kh, kw, channels, oh, ow):
    """The inputs of the window at output (oh, ow) of an image (C, H, W, flat values), channels in order, each
    channel's window row by row; None for a padded position."""
    c_, h_, w_, values = image
    s, pad = layer["stride"], layer["pad"]
    out = []
    for c in channels:
        for i in range(kh):
            for j in range(kw):
                ih, iw = oh * s - pad + i, ow * s - pad + j
                inside = 0 <= ih < h_ and 0 <= iw < w_
                out.append(values[(c * h_ + ih) * w_ + iw] if inside else None)
    return out


def out_extent(n, k, layer):
    return (n + 2 * layer["pad"] - k) // layer["stride"] + 1


def conv2d(layer, w, b, shape, r):
    """Cross-correlation: filter f's output at (oh, ow) is the sum of its taps in (c, i, j) order plus b[f];
    W is taps×filters, filter f in column f."""
    c_, h_, w_ = shape
    kh, kw = layer["kernel_h"], layer["kernel_w"]
    oh_, ow_ = out_extent(h_, kh, layer), out_extent(w_, kw, layer)
    filters = [[row[f] for row in w] for f in range(len(b))]
    taps = [
        [v or 0.0 for v in window((c_, h_, w_, r), layer, kh, kw, range(c_), oh, ow)]
        for oh in range(oh_)
        for ow in range(ow_)
    ]
    out = [sum(t * wt for t, wt in zip(tap, filters[f])) + b[f] for f in range(len(b)) for tap in taps]
    return out, (len(b), oh_, ow_)


def pool2d(layer, shape, r, kind):
    """Max over the window's inputs (padded positions excluded), or their sum over the window's size (padded
    positions counted as zeros)."""
    c_, h_, w_ = shape
    kh, kw = layer["h"], layer["w"]
    oh_, ow_ = out_extent(h_, kh, layer), out_extent(w_, kw, layer)
    out = []
    for c in range(c_):
        for oh in range(oh_):
            for ow in range(ow_):
                vs = [v for v in window((c_, h_, w_, r), layer, kh, kw, [c], oh, ow) if v is not None]
                out.append(max(vs) if kind == "maxpool2d" else sum(vs) / (kh * kw))
    return out, (c_, oh_, ow_)


def forward(spec, tensors, rows):
    x = [list(r) for r in rows]
    image = spec.get("input_shape")  # [C, H, W] while the rows are images (C, H, W order), else None
    for i, layer in enumerate(spec["layers"]):
        kind = layer["kind"]
        p = f"{i}.{kind}."
        if kind == "conv2d":
            w, b = matrix(tensors, p + "W"), vector(tensors, p + "b")
            results = [conv2d(layer, w, b, image, r) for r in x]
            x, image = [r for r, _ in results], results[0][1]
        elif kind in ("maxpool2d", "avgpool2d"):
            results = [pool2d(layer, image, r, kind) for r in x]
            x, image = [r for r, _ in results], results[0][1]
        elif kind == "flatten":
            image = None  # the values are already in C, H, W order
        elif kind == "affine":
            w, b = matrix(tensors, p + "W"), vector(tensors, p + "b")
            x = [[sum(r[k] * w[k][j] for k in range(len(r))) + b[j] for j in range(len(b))] for r in x]
        elif kind == "batchnorm":
            gamma, beta = vector(tensors, p + "gamma"), vector(tensors, p + "beta")
            mean, var = vector(tensors, p + "running_mean"), vector(tensors, p + "running_var")
            std = [math.sqrt(v + layer["epsilon"]) for v in var]
            x = [[(r[j] - mean[j]) / std[j] * gamma[j] + beta[j] for j in range(len(r))] for r in x]
        elif kind == "relu":
            x = [[v if v > 0 else 0.0 for v in r] for r in x]
        elif kind == "sigmoid":
            x = [[sigmoid(v) for v in r] for r in x]
        elif kind == "tanh":
            x = [[math.tanh(v) for v in r] for r in x]
        elif kind == "dropout":
            keep = 1.0 - layer["ratio"]
            x = [[v * keep for v in r] for r in x]
        else:
            raise ValueError(f"layer {i}: kind {kind} is not known to this reader")
    if spec["loss"] == "softmax_cross_entropy":
        out = []
        for r in x:
            m = max(r)
            e = [math.exp(v - m) for v in r]
            s = sum(e)
            out.append([v / s for v in e])
        return out
    return x


def forward_torch(spec, tensors, rows):
    import torch

    def t(name):
        shape, flat = tensors[name]
        return torch.tensor(flat, dtype=torch.float64).reshape(shape)

    modules = []
    for i, layer in enumerate(spec["layers"]):
        kind = layer["kind"]
        p = f"{i}.{kind}."
        if kind == "affine":
            lin = torch.nn.Linear(layer["in"], layer["out"], dtype=torch.float64)
            with torch.no_grad():
                lin.weight.copy_(t(p + "W").T)  # PyTorch keeps out×in
                lin.bias.copy_(t(p + "b").reshape(-1))
            modules.append(lin)
        elif kind == "batchnorm":
            bn = torch.nn.BatchNorm1d(layer["features"], eps=layer["epsilon"], dtype=torch.float64)
            with torch.no_grad():
                bn.weight.copy_(t(p + "gamma").reshape(-1))
                bn.bias.copy_(t(p + "beta").reshape(-1))
                bn.running_mean.copy_(t(p + "running_mean").reshape(-1))
                bn.running_var.copy_(t(p + "running_var").reshape(-1))
            modules.append(bn)
        elif kind == "relu":
            modules.append(torch.nn.ReLU())
        elif kind == "sigmoid":
            modules.append(torch.nn.Sigmoid())
        elif kind == "tanh":
            modules.append(torch.nn.Tanh())
        elif kind == "conv2d":
            conv = torch.nn.Conv2d(
                layer["in_channels"],
                layer["out_channels"],
                (layer["kernel_h"], layer["kernel_w"]),
                stride=layer["stride"],
                padding=layer["pad"],
                dtype=torch.float64,
            )
            with torch.no_grad():
                # W is taps×filters with taps in (c, i, j) order; PyTorch keeps filters×C×kh×kw.
                conv.weight.copy_(t(p + "W").T.reshape(conv.weight.shape))
                conv.bias.copy_(t(p + "b").reshape(-1))
            modules.append(conv)
        elif kind == "maxpool2d":
            modules.append(torch.nn.MaxPool2d((layer["h"], layer["w"]), layer["stride"], layer["pad"]))
        elif kind == "avgpool2d":
            pool = torch.nn.AvgPool2d((layer["h"], layer["w"]), layer["stride"], layer["pad"], count_include_pad=True)
            modules.append(pool)
        elif kind == "flatten":
            modules.append(torch.nn.Flatten())
        elif kind == "dropout":
            # The book's Dropout scales by the kept fraction at inference (PyTorch's scales in training instead).
            keep = 1.0 - layer["ratio"]
            modules.append(torch.nn.Identity() if keep == 1.0 else Scale(keep))
        else:
            raise ValueError(f"layer {i}: kind {kind} is not known to this reader")
    if spec["loss"] == "softmax_cross_entropy":
        modules.append(torch.nn.Softmax(dim=1))
    model = torch.nn.Sequential(*modules).eval()
    x = torch.tensor(rows, dtype=torch.float64)
    if spec.get("input_shape"):
        x = x.reshape(len(rows), *spec["input_shape"])
    with torch.no_grad():
        return model(x).reshape(len(rows), -1).tolist()


def Scale(keep):
    import torch

    class _Scale(torch.nn.Module):
        def forward(self, v):
            return v * keep

    return _Scale()


def main(argv):
    if len(argv) not in (4, 5) or (len(argv) == 5 and argv[4] != "--torch"):
        print(__doc__, file=sys.stderr)
        return 2
    metadata, tensors = read_safetensors(argv[1])
    spec = json.loads(metadata["network"])
    with open(argv[2]) as f:
        rows = json.load(f)
    out = (forward_torch if len(argv) == 5 else forward)(spec, tensors, rows)
    with open(argv[3], "w") as f:
        json.dump(out, f)
    print(f"{len(tensors)} tensors, {len(spec['layers'])} layers, {len(out)} samples")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
