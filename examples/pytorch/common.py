# What the PyTorch twins of the four ported scripts share: the command line
# (--epochs, --limit, --test-limit, --threads, --seed, --json), MNIST read
# from the IDX files (no torchvision needed) and a plain training loop that
# prints each epoch's test accuracy and time. For comparisons with
# examples/*.mjs on the same machine (bench/ports.mjs); not part of npm test.
import argparse, gzip, json, os, struct, time
import numpy as np
import torch
import torch.nn.functional as F


def options(epochs):
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=epochs)
    p.add_argument("--limit", type=int)
    p.add_argument("--test-limit", type=int)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", action="store_true")
    p.add_argument("--data", default=os.environ.get("WASMGRAD_DATA", os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data")))
    o = p.parse_args()
    torch.set_num_threads(o.threads)
    torch.manual_seed(o.seed)
    return o


def idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = struct.unpack(">" + "I" * dims, raw[4 : 4 + 4 * dims])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def mnist(o, batch_size, mean, std, test_batch_size=1000):
    folder = os.path.join(o.data, "mnist")
    find = lambda name: next(p for p in (os.path.join(folder, name + ".gz"), os.path.join(folder, name)) if os.path.exists(p))
    def tensors(images, labels, limit):
        x, y = idx(find(images)), idx(find(labels))
        if limit:
            x, y = x[:limit], y[:limit]
        x = (torch.from_numpy(x.astype(np.float32)).unsqueeze(1) / 255.0 - mean) / std
        return torch.utils.data.TensorDataset(x, torch.from_numpy(y.astype(np.int64)))
    train = tensors("train-images-idx3-ubyte", "train-labels-idx1-ubyte", o.limit)
    test = tensors("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", o.test_limit)
    if not o.json:
        print(f"MNIST from {folder}: {len(train)} training, {len(test)} test images; torch {torch.__version__}, {torch.get_num_threads()} threads")
    return (torch.utils.data.DataLoader(train, batch_size=batch_size, shuffle=True),
            torch.utils.data.DataLoader(test, batch_size=test_batch_size, shuffle=False))


def run(name, model, o, loaders, optimizer, scheduler=None, loss=F.cross_entropy):
    train, test = loaders
    epochs = []
    for epoch in range(1, o.epochs + 1):
        model.train()
        t0, total, seen = time.perf_counter(), 0.0, 0
        for x, y in train:
            optimizer.zero_grad()
            l = loss(model(x), y)
            l.backward()
            optimizer.step()
            total += l.item() * len(y)
            seen += len(y)
        seconds = time.perf_counter() - t0
        if scheduler is not None:
            scheduler.step()
        model.eval()
        correct = 0
        with torch.no_grad():
            for x, y in test:
                correct += (model(x).argmax(1) == y).sum().item()
        accuracy = correct / len(test.dataset)
        epochs.append({"epoch": epoch, "loss": total / seen, "seconds": seconds, "testAccuracy": accuracy})
        if not o.json:
            print(f"epoch {epoch}: train loss {total / seen:.4f}, test accuracy {100 * accuracy:.2f}%, {seconds:.1f} s")
    if o.json:
        # Debian's torch links whichever libblas.so.3 is selected: what the process mapped says which
        with open("/proc/self/maps") as f:
            blas = ", ".join(sorted({line.split()[-1] for line in f if "blas" in line})) or "none found"
        print(json.dumps({"script": name, "engine": "pytorch", "torch": torch.__version__, "blas": blas, "threads": torch.get_num_threads(), "seed": o.seed, "epochs": epochs}))
