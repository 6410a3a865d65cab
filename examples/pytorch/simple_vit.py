# lucidrains/vit-pytorch's SimpleViT (written out without einops) on MNIST:
# patch 7, dim 64, depth 4, heads 4, dim_head 16, mlp_dim 128, Adam 1e-3,
# batch 128, MNIST mean/std; twin of examples/simple-vit.mjs.
#   /usr/bin/python3 examples/pytorch/simple_vit.py [--epochs 10] [--threads 2]
import torch
import torch.nn as nn
from common import options, mnist, run


def posemb_sincos_2d(h, w, dim, temperature=10000):
    y, x = torch.meshgrid(torch.arange(h), torch.arange(w), indexing="ij")
    omega = torch.arange(dim // 4) / (dim // 4 - 1)
    omega = 1.0 / (temperature ** omega)
    y = y.flatten()[:, None] * omega[None, :]
    x = x.flatten()[:, None] * omega[None, :]
    return torch.cat((x.sin(), x.cos(), y.sin(), y.cos()), dim=1).float()


class FeedForward(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.net = nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim))

    def forward(self, x):
        return self.net(x)


class Attention(nn.Module):
    def __init__(self, dim, heads, dim_head):
        super().__init__()
        inner = dim_head * heads
        self.heads, self.scale = heads, dim_head ** -0.5
        self.norm = nn.LayerNorm(dim)
        self.attend = nn.Softmax(dim=-1)
        self.to_qkv = nn.Linear(dim, inner * 3, bias=False)
        self.to_out = nn.Linear(inner, dim, bias=False)

    def forward(self, x):
        b, n, _ = x.shape
        x = self.norm(x)
        q, k, v = (t.reshape(b, n, self.heads, -1).permute(0, 2, 1, 3) for t in self.to_qkv(x).chunk(3, dim=-1))
        attn = self.attend(torch.matmul(q, k.transpose(-1, -2)) * self.scale)
        out = torch.matmul(attn, v).permute(0, 2, 1, 3).reshape(b, n, -1)
        return self.to_out(out)


class Transformer(nn.Module):
    def __init__(self, dim, depth, heads, dim_head, mlp_dim):
        super().__init__()
        self.layers = nn.ModuleList([nn.ModuleList([Attention(dim, heads, dim_head), FeedForward(dim, mlp_dim)]) for _ in range(depth)])

    def forward(self, x):
        for attn, ff in self.layers:
            x = attn(x) + x
            x = ff(x) + x
        return x


class SimpleViT(nn.Module):
    def __init__(self, image_size, patch_size, num_classes, dim, depth, heads, mlp_dim, channels, dim_head):
        super().__init__()
        self.patch = patch_size
        grid, patch_dim = image_size // patch_size, channels * patch_size * patch_size
        self.patch_norm = nn.LayerNorm(patch_dim)
        self.to_patch_embedding = nn.Sequential(nn.Linear(patch_dim, dim), nn.LayerNorm(dim))
        self.pos_embedding = posemb_sincos_2d(grid, grid, dim)
        self.transformer = Transformer(dim, depth, heads, dim_head, mlp_dim)
        self.linear_head = nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, num_classes))

    def forward(self, img):
        b, c, H, W = img.shape
        p = self.patch
        patches = img.reshape(b, c, H // p, p, W // p, p).permute(0, 2, 4, 3, 5, 1).reshape(b, (H // p) * (W // p), p * p * c)
        x = self.to_patch_embedding(self.patch_norm(patches)) + self.pos_embedding
        return self.linear_head(self.transformer(x).mean(dim=1))


o = options(10)
loaders = mnist(o, 128, 0.1307, 0.3081)
model = SimpleViT(28, 7, 10, 64, 4, 4, 128, 1, 16)
run("simple-vit", model, o, loaders, torch.optim.Adam(model.parameters(), lr=1e-3))
