"""The networks, and the one factory that builds them from a configuration.

The estimator obtains its network through :func:`build_autoencoder` (for pretraining, for the
clustering stage and when loading a saved model), so a new architecture is added here. It must
offer what the stages use: ``encoder`` and ``decoder`` modules that map flat rows to the
embedding and back, and, for the paper's layer-wise pretraining, ``layer_pairs()``.
"""

from __future__ import annotations

import math

from torch import nn

from .config import INITS


def _init_weights(module: nn.Module, init: str, init_std: float) -> None:
    """Draw the weights of every linear and (transposed) convolution layer; biases are zero."""
    for m in module.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            if init == "normal":  # the paper: N(0, 0.01^2), fine for shallow layer-wise pairs
                nn.init.normal_(m.weight, std=init_std)
            elif init == "xavier":  # Glorot uniform, as the Keras ports
                nn.init.xavier_uniform_(m.weight)
            elif init == "kaiming":  # He normal, fan-in, for ReLU
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            elif init == "fan-in-uniform":  # U(+-1/sqrt(fan_in)): the Keras port's MNIST/Fashion runs
                nn.init.kaiming_uniform_(m.weight, a=math.sqrt(5))  # gain sqrt(1/3): bound 1/sqrt(fan_in)
            else:
                raise ValueError(f"unknown init {init!r}; use one of {INITS}")
            nn.init.zeros_(m.bias)


class StackedAutoencoder(nn.Module):
    """The paper's network d-500-500-2000-10 (section 3.2): fully connected, ReLU everywhere
    except the embedding layer and the reconstruction layer, which are linear. ``encoder`` and
    ``decoder`` are ``nn.Sequential``; the decoder mirrors the encoder."""

    def __init__(
        self, input_dim: int, dims=(500, 500, 2000, 10), init: str = "normal", init_std: float = 0.01
    ):
        super().__init__()
        sizes = [int(input_dim), *map(int, dims)]
        n = len(sizes) - 1
        enc, dec = [], []
        for i in range(n):  # encoder: d -> ... -> embedding, ReLU except after the last layer
            enc.append(nn.Linear(sizes[i], sizes[i + 1]))
            if i < n - 1:
                enc.append(nn.ReLU())
        for i in reversed(range(n)):  # decoder mirrors it, ReLU except on the reconstruction
            dec.append(nn.Linear(sizes[i + 1], sizes[i]))
            if i > 0:
                dec.append(nn.ReLU())
        self.encoder = nn.Sequential(*enc)
        self.decoder = nn.Sequential(*dec)
        self.sizes = sizes
        _init_weights(self, init, init_std)

    def forward(self, x):
        return self.decoder(self.encoder(x))

    def layer_pairs(self):
        """[(encoder Linear i, the decoder Linear that inverts it)], from the input upwards."""
        enc = [m for m in self.encoder if isinstance(m, nn.Linear)]
        dec = [m for m in self.decoder if isinstance(m, nn.Linear)][::-1]
        return list(zip(enc, dec, strict=True))


class ConvAutoencoder(nn.Module):
    """ConvDEC's network (Guo et al. 2017, the DEC-DA paper's ConvDEC): three convolutions with
    stride 2 -- 32 filters 5x5, 64 filters 5x5, 128 filters 3x3 -- then a linear embedding of
    ``embed_dim`` features; the decoder mirrors it with transposed convolutions. ReLU everywhere
    except the embedding and the reconstruction; no batch norm. Rows are flat images of
    ``image_shape`` = (h, w) (one channel), as elsewhere in the library. ConvDEC's rule for the
    last convolution: "same" padding where both sides are multiples of 8 (USPS: 16 -> 8 -> 4 -> 2;
    digits: 8 -> 4 -> 2 -> 1), none otherwise (MNIST: 28 -> 14 -> 7 -> 3); and "same" padding
    wherever the map has become smaller than the kernel."""

    def __init__(self, image_shape, embed_dim: int = 10, init: str = "xavier", init_std: float = 0.01):
        super().__init__()
        h, w = map(int, image_shape)
        layers = [(1, 32, 5, 2), (32, 64, 5, 2), (64, 128, 3, 1)]  # in, out, kernel, "same" padding
        sizes = [(h, w)]
        for i, (_, _, k, pad) in enumerate(layers):
            if i == 2 and (h % 8 or w % 8) and min(sizes[-1]) >= k:
                layers[i], pad = (64, 128, 3, 0), 0
            sizes.append(tuple((s + 2 * pad - k) // 2 + 1 for s in sizes[-1]))
        if min(sizes[-1]) < 1:
            raise ValueError(f"arch='conv' needs images of at least 2 x 2 pixels, got {h} x {w}")
        flat = 128 * sizes[-1][0] * sizes[-1][1]
        enc, dec = [nn.Unflatten(1, (1, h, w))], []
        for cin, cout, k, pad in layers:
            enc += [nn.Conv2d(cin, cout, k, stride=2, padding=pad), nn.ReLU()]
        enc += [nn.Flatten(), nn.Linear(flat, int(embed_dim))]
        dec += [nn.Linear(int(embed_dim), flat), nn.ReLU(), nn.Unflatten(1, (128, *sizes[-1]))]
        for i in reversed(range(3)):  # output_padding restores the exact size the encoder saw
            cin, cout, k, pad = layers[i]
            pairs = zip(sizes[i], sizes[i + 1], strict=True)
            out_pad = tuple(s - ((t - 1) * 2 - 2 * pad + k) for s, t in pairs)
            dec.append(nn.ConvTranspose2d(cout, cin, k, stride=2, padding=pad, output_padding=out_pad))
            if i > 0:
                dec.append(nn.ReLU())
        dec.append(nn.Flatten())
        self.encoder = nn.Sequential(*enc)
        self.decoder = nn.Sequential(*dec)
        self.image_shape = (h, w)
        _init_weights(self, init, init_std)

    def forward(self, x):
        return self.decoder(self.encoder(x))


def build_autoencoder(config, input_dim: int, image_shape=None) -> nn.Module:
    """The autoencoder that ``config`` describes, for inputs of ``input_dim`` features
    (``image_shape`` = (h, w) when the rows are images: required by ``arch="conv"``, ignored by
    the fully connected network). Its weights are drawn from torch's random generator."""
    if config.arch == "conv":
        if image_shape is None or int(image_shape[0]) * int(image_shape[1]) != int(input_dim):
            raise ValueError(
                f"arch='conv' needs image inputs: image_shape=(h, w) with h * w = {input_dim} features "
                f"per row, got image_shape={image_shape!r}; use arch='mlp' for other data"
            )
        return ConvAutoencoder(image_shape, config.dims[-1], config.init, config.init_std)
    return StackedAutoencoder(input_dim, config.dims, config.init, config.init_std)
