"""The networks, and the one factory that builds them from a configuration.

The estimator obtains its network through :func:`build_autoencoder` (for pretraining, for the
clustering stage and when loading a saved model), so a new architecture is added here. It must
offer what the stages use: ``encoder`` and ``decoder`` modules, and ``layer_pairs()`` for the
paper's layer-wise pretraining.
"""

from __future__ import annotations

from torch import nn


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
        for m in self.modules():
            if isinstance(m, nn.Linear):
                if init == "normal":  # the paper: N(0, 0.01^2), fine for shallow layer-wise pairs
                    nn.init.normal_(m.weight, std=init_std)
                elif init == "xavier":  # Glorot uniform, as the Keras ports
                    nn.init.xavier_uniform_(m.weight)
                elif init == "kaiming":  # He normal, fan-in, for ReLU
                    nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                else:
                    raise ValueError(f"unknown init {init!r}; use 'normal', 'xavier' or 'kaiming'")
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.decoder(self.encoder(x))

    def layer_pairs(self):
        """[(encoder Linear i, the decoder Linear that inverts it)], from the input upwards."""
        enc = [m for m in self.encoder if isinstance(m, nn.Linear)]
        dec = [m for m in self.decoder if isinstance(m, nn.Linear)][::-1]
        return list(zip(enc, dec, strict=True))


def build_autoencoder(config, input_dim: int, image_shape=None) -> nn.Module:
    """The autoencoder that ``config`` describes, for inputs of ``input_dim`` features
    (``image_shape`` = (h, w) when the rows are images; the fully connected network ignores it).
    Its weights are drawn from torch's random generator."""
    return StackedAutoencoder(input_dim, config.dims, config.init, config.init_std)
