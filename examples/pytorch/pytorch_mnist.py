# pytorch/examples' mnist/main.py (the network, Adadelta lr 1.0, StepLR 0.7,
# batch 64), twin of examples/pytorch-mnist.mjs.
#   /usr/bin/python3 examples/pytorch/pytorch_mnist.py [--epochs 14] [--threads 2]
import torch
import torch.nn as nn
import torch.nn.functional as F
from common import options, mnist, run


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        return F.log_softmax(self.fc2(x), dim=1)


o = options(14)
loaders = mnist(o, 64, 0.1307, 0.3081)
model = Net()
optimizer = torch.optim.Adadelta(model.parameters(), lr=1.0)
run("pytorch-mnist", model, o, loaders, optimizer, torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.7), loss=F.nll_loss)
