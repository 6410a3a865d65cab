# The single CNN of Chris Deotte's "25 Million Images! [0.99757] MNIST" in
# PyTorch with its defaults (BatchNorm momentum 0.1, eps 1e-5; symmetric
# padding 2 for the stride-2 5x5 convolutions), pixels / 255, Adam 1e-3 times
# 0.95 per epoch, batch 64, no augmentation; twin of examples/kaggle-cnn.mjs.
#   /usr/bin/python3 examples/pytorch/kaggle_cnn.py [--epochs 35] [--threads 2]
import torch
import torch.nn as nn
from common import options, mnist, run


def block(i, o, k, **kw):
    return [nn.Conv2d(i, o, k, **kw), nn.ReLU(), nn.BatchNorm2d(o)]


o = options(35)
loaders = mnist(o, 64, 0.0, 1.0)
model = nn.Sequential(
    *block(1, 32, 3), *block(32, 32, 3), *block(32, 32, 5, stride=2, padding=2), nn.Dropout(0.4),
    *block(32, 64, 3), *block(64, 64, 3), *block(64, 64, 5, stride=2, padding=2), nn.Dropout(0.4),
    *block(64, 128, 4), nn.Flatten(), nn.Dropout(0.4), nn.Linear(128, 10),
)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
run("kaggle-cnn", model, o, loaders, optimizer, torch.optim.lr_scheduler.ExponentialLR(optimizer, 0.95))
