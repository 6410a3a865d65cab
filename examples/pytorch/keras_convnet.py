# keras-io's mnist_convnet.py in PyTorch (pixels / 255, Adam 1e-3, batch 128),
# twin of examples/keras-convnet.mjs.
#   /usr/bin/python3 examples/pytorch/keras_convnet.py [--epochs 15] [--threads 2]
import torch
import torch.nn as nn
from common import options, mnist, run

o = options(15)
loaders = mnist(o, 128, 0.0, 1.0)
model = nn.Sequential(
    nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Dropout(0.5), nn.Linear(64 * 5 * 5, 10),
)
run("keras-convnet", model, o, loaders, torch.optim.Adam(model.parameters(), lr=1e-3))
