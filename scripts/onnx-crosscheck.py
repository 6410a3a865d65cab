# Checks the models scripts/onnx-crosscheck.ts wrote with ONNX's own checker
# (full_check: types and shapes inferred through the graph) and runs them in
# the native ONNX Runtime against our outputs, at the written batch.
#   python3 scripts/onnx-crosscheck.py DIR    (pip install onnx onnxruntime)
import json, os, sys
import numpy as np
import onnx, onnxruntime

folder = sys.argv[1] if len(sys.argv) > 1 else "onnx-crosscheck"
cases = json.load(open(os.path.join(folder, "cases.json")))
print(f"onnx {onnx.__version__}, onnxruntime {onnxruntime.__version__}")
worst_all = 0.0
for file, c in cases.items():
    path = os.path.join(folder, file)
    onnx.checker.check_model(onnx.load(path), full_check=True)
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    x = np.array(c["input"], dtype=np.float32).reshape(c["shape"])
    y = session.run(None, {"input": x})[0].ravel()
    want = np.array(c["output"], dtype=np.float32)
    worst = float(np.max(np.abs(y - want) / (1 + np.abs(want))))
    worst_all = max(worst_all, worst)
    print(f"{file}: checker ok, onnxruntime worst {worst:.1e}")
print(f"all {len(cases)} pass the checker; worst relative difference {worst_all:.1e}")
sys.exit(0 if worst_all < 1e-5 else 1)
