#!/usr/bin/env python3
"""Train the network workload's MLP on Fashion-MNIST and quantize it for the macro.

  net_train.py train --data DIR --out model.npz [--seed S] [--hidden H] [--epochs E]
  net_train.py quantize --model model.npz --data DIR --out net.net --w-bits B --x-bits B
                        [--pred PRED]

`train`: a 784-H-10 MLP with ReLU and biases, plain numpy (pinned in
tools/requirements-net.txt), Adam, mini-batches of 128, deterministic for a
seed on one BLAS thread (the Makefile sets OPENBLAS_NUM_THREADS=1). Prints
and stores the float test accuracy.

`quantize`: the network file of sw/host/cim_net.h for a build's W_BITS and
X_BITS. Per layer: weights symmetric signed W_BITS with one scale (the
largest |w| at the largest level); the bias as weights on extra inputs held
at the largest activation 2^X_BITS - 1 (as many as the bias needs); inputs
unsigned X_BITS (pixels as they are: 0..255 at 8 bits, scaled down below);
a hidden layer's output requantized as the macro's output stage does it,
ReLU, round-half-up shift, clamp to X_BITS unsigned bits, with the shift
chosen on the training set so that the 99.99th percentile of its
activations fits. The integer network is evaluated here too, in numpy with
the macro's rounding: its test accuracy goes into the file's header and its
class for every test image into PRED (one digit per image), which the C
reference (`cim_net --compare PRED`) must equal image for image.
"""
import argparse
import gzip
import os
import sys

import numpy as np

from atomicio import write_atomic

CLASSES = 10


def load_idx(data, part):
    """(images uint8 n x 784, labels uint8 n) of 'train' or 't10k'."""
    def read(name, dims):
        with gzip.open(os.path.join(data, name), "rb") as f:
            b = f.read()
        if b[:2] != b"\0\0" or b[2] != 8 or b[3] != dims:
            raise SystemExit(f"net_train: {name}: not an IDX file of {dims} dimension(s)")
        n = [int.from_bytes(b[4 + 4 * d:8 + 4 * d], "big") for d in range(dims)]
        a = np.frombuffer(b, dtype=np.uint8, offset=4 + 4 * dims)
        if a.size != int(np.prod(n)):
            raise SystemExit(f"net_train: {name}: {a.size} data bytes, header says {np.prod(n)}")
        return a.reshape(n[0], -1)
    x = read(f"{part}-images-idx3-ubyte.gz", 3)
    y = read(f"{part}-labels-idx1-ubyte.gz", 1)[:, 0]
    if len(x) != len(y):
        raise SystemExit(f"net_train: {part}: {len(x)} images, {len(y)} labels")
    return x, y


def forward(params, x):
    w1, b1, w2, b2 = params
    h = np.maximum(x @ w1 + b1, 0.0)
    return h, h @ w2 + b2


def train(args):
    rng = np.random.default_rng(args.seed)
    xtr, ytr = load_idx(args.data, "train")
    xte, yte = load_idx(args.data, "t10k")
    xtr = xtr.astype(np.float32) / 255.0
    xte = xte.astype(np.float32) / 255.0
    n_in, hid = xtr.shape[1], args.hidden
    params = [rng.standard_normal((n_in, hid), dtype=np.float32) * np.float32(np.sqrt(2.0 / n_in)),
              np.zeros(hid, np.float32),
              rng.standard_normal((hid, CLASSES), dtype=np.float32) * np.float32(np.sqrt(2.0 / hid)),
              np.zeros(CLASSES, np.float32)]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    lr, b1, b2, eps, t = args.lr, 0.9, 0.999, 1e-8, 0
    onehot = np.eye(CLASSES, dtype=np.float32)
    for ep in range(args.epochs):
        order = rng.permutation(len(xtr))
        for s in range(0, len(order), args.batch):
            idx = order[s:s + args.batch]
            x, y = xtr[idx], onehot[ytr[idx]]
            h, z = forward(params, x)
            z = z - z.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            dz = (p - y) / np.float32(len(idx))
            dh = (dz @ params[2].T) * (h > 0)
            grads = [x.T @ dh, dh.sum(axis=0), h.T @ dz, dz.sum(axis=0)]
            t += 1
            for i, g in enumerate(grads):
                m[i] = b1 * m[i] + (1 - b1) * g
                v[i] = b2 * v[i] + (1 - b2) * g * g
                mh = m[i] / (1 - b1 ** t)
                vh = v[i] / (1 - b2 ** t)
                params[i] -= (lr * mh / (np.sqrt(vh) + eps)).astype(np.float32)
        acc = float((forward(params, xte)[1].argmax(axis=1) == yte).mean())
        print(f"net_train: epoch {ep + 1}/{args.epochs}: float test accuracy {acc:.4f}", flush=True)
    write_atomic(args.out, lambda f: np.savez(f, w1=params[0], b1=params[1], w2=params[2],
                                              b2=params[3], seed=args.seed, epochs=args.epochs,
                                              accuracy=acc), binary=True)
    print(f"net_train: {args.out}: 784-{hid}-10, seed {args.seed}, {args.epochs} epochs, "
          f"float test accuracy {acc:.4f}")


def round_shift(v, s):
    """floor((v + 2^(s-1)) / 2^s): the macro's rounding (cim_requant)."""
    return v if s == 0 else (v + (np.int64(1) << (s - 1))) >> s


def quantize(args):
    md = np.load(args.model)
    ws, bs = [md["w1"], md["w2"]], [md["b1"], md["b2"]]
    xtr, _ = load_idx(args.data, "train")
    xte, yte = load_idx(args.data, "t10k")
    wmax, xmax = (1 << (args.w_bits - 1)) - 1, (1 << args.x_bits) - 1
    # pixels 0..255 at x_bits: the top x_bits bits, scale in = 1/255 * 2^(8-x_bits)
    pix_shift = max(0, 8 - args.x_bits)
    q_in = lambda px: (px.astype(np.int64) >> pix_shift)
    s_in = (1 << pix_shift) / 255.0
    layers, act_tr = [], q_in(xtr[:10000])
    for li, (w, b) in enumerate(zip(ws, bs)):
        last = li == len(ws) - 1
        s_w = float(np.abs(w).max()) / wmax
        wq = np.clip(np.rint(w / s_w), -wmax - 1, wmax).astype(np.int64).T  # outputs x inputs
        # bias in accumulator units, spread over bias rows of at most wmax each
        bacc = np.rint(b / (s_w * s_in)).astype(np.int64)
        n_bias = max(1, int(np.ceil(np.abs(bacc).max() / (wmax * xmax))))
        brow = np.zeros((wq.shape[0], n_bias), np.int64)
        rest = bacc.copy()
        for k in range(n_bias):
            part = np.clip(np.rint(rest / (xmax * (n_bias - k))), -wmax - 1, wmax).astype(np.int64)
            brow[:, k] = part
            rest -= part * xmax
        wfull = np.concatenate([wq, brow], axis=1)
        acc_tr = np.concatenate([act_tr, np.full((len(act_tr), n_bias), xmax)], axis=1) @ wfull.T
        if last:
            shift, out_bits, relu, s_out = 0, 32, 0, s_w * s_in
        else:
            top = float(np.percentile(np.maximum(acc_tr, 0), 99.99))
            shift = max(0, int(np.ceil(np.log2(max(top, 1.0) / xmax))))
            out_bits, relu, s_out = args.x_bits + 1, 1, s_w * s_in * 2.0 ** shift
            act_tr = np.clip(round_shift(np.maximum(acc_tr, 0), shift), 0, xmax)
        layers.append(dict(w=wfull, bias_rows=n_bias, relu=relu, shift=shift, out_bits=out_bits,
                           scale_w=s_w, scale_in=s_in, scale_out=s_out, inputs=wq.shape[1],
                           outputs=wq.shape[0]))
        s_in = s_out
    classes = infer_int(layers, q_in(xte), xmax).argmax(axis=1)
    acc = float((classes == yte).mean())

    def emit(f):
        f.write("cim-net 1\n")
        f.write(f"# {os.path.basename(args.model)}: float test accuracy "
                f"{float(md['accuracy']):.4f}; quantized (W {args.w_bits}-bit, X {args.x_bits}-bit) "
                f"test accuracy {acc:.4f}\n")
        f.write(f"inputs {layers[0]['inputs']} x_bits {args.x_bits} w_bits {args.w_bits} "
                f"layers {len(layers)} input_shift {pix_shift}\n")
        for li, L in enumerate(layers):
            f.write(f"layer {li} inputs {L['inputs']} outputs {L['outputs']} bias_rows "
                    f"{L['bias_rows']} relu {L['relu']} shift {L['shift']} out_bits {L['out_bits']} "
                    f"scale_w {L['scale_w']:.9g} scale_in {L['scale_in']:.9g} scale_out "
                    f"{L['scale_out']:.9g}\n")
            for row in L["w"]:
                f.write(" ".join(str(int(v)) for v in row) + "\n")
        f.write("end\n")
    write_atomic(args.out, emit)
    if args.pred:
        write_atomic(args.pred, lambda f: f.write("".join(str(int(c)) for c in classes) + "\n"))
    print(f"net_train: {args.out}: float {float(md['accuracy']):.4f}, quantized {acc:.4f} "
          f"(W {args.w_bits}-bit, X {args.x_bits}-bit; shifts "
          f"{[L['shift'] for L in layers]}, bias rows {[L['bias_rows'] for L in layers]})")


def infer_int(layers, x, xmax):
    """The integer network with the macro's output stage; returns the last layer's outputs."""
    a = x
    for L in layers:
        acc = np.concatenate([a, np.full((len(a), L["bias_rows"]), xmax)], axis=1) @ L["w"].T
        v = np.maximum(acc, 0) if L["relu"] else acc
        v = round_shift(v, L["shift"])
        hi, lo = (1 << (L["out_bits"] - 1)) - 1, -(1 << (L["out_bits"] - 1))
        a = np.clip(v, lo, hi)
    return a


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("--data", required=True)
    t.add_argument("--out", required=True)
    t.add_argument("--seed", type=int, default=1)
    t.add_argument("--hidden", type=int, default=128)
    t.add_argument("--epochs", type=int, default=15)
    t.add_argument("--batch", type=int, default=128)
    t.add_argument("--lr", type=float, default=1e-3)
    q = sub.add_parser("quantize")
    q.add_argument("--model", required=True)
    q.add_argument("--data", required=True)
    q.add_argument("--out", required=True)
    q.add_argument("--w-bits", type=int, required=True)
    q.add_argument("--x-bits", type=int, required=True)
    q.add_argument("--pred", help="write the integer model's class of every test image here")
    args = ap.parse_args(argv)
    if args.cmd == "train":
        if args.hidden < 100:
            ap.error("--hidden: at least 100 units")
        train(args)
    else:
        if not 2 <= args.w_bits <= 8 or not 1 <= args.x_bits <= 8:
            ap.error("--w-bits 2..8 and --x-bits 1..8")
        quantize(args)


if __name__ == "__main__":
    main(sys.argv[1:])
