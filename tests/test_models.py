import math

import pytest
import torch

from dec import Config
from dec.models import ConvAutoencoder, StackedAutoencoder, build_autoencoder


@pytest.mark.parametrize("shape", [(28, 28), (16, 16), (8, 8), (28, 20)])
def test_conv_autoencoder_maps_flat_images_to_the_embedding_and_back(shape):
    cfg = Config.from_profile("quick", arch="conv")
    ae = build_autoencoder(cfg, shape[0] * shape[1], shape)
    assert isinstance(ae, ConvAutoencoder)
    x = torch.randn(4, shape[0] * shape[1])
    assert ae.encoder(x).shape == (4, cfg.dims[-1])
    assert ae(x).shape == x.shape


def test_conv_autoencoder_is_convdec_on_mnist():
    """ConvDEC's layers on 28 x 28: 28 -> 14 -> 7 -> 3 (the last convolution unpadded), 1152
    features before the 10-d embedding, the same parameter count as the Keras original."""
    ae = ConvAutoencoder((28, 28), 10)
    convs = [m for m in ae.encoder if isinstance(m, torch.nn.Conv2d)]
    assert [(c.out_channels, c.kernel_size, c.stride) for c in convs] == [
        (32, (5, 5), (2, 2)),
        (64, (5, 5), (2, 2)),
        (128, (3, 3), (2, 2)),
    ]
    assert ae.encoder[-1].in_features == 128 * 3 * 3
    assert sum(p.numel() for p in ae.parameters()) == 275_979
    assert not any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in ae.modules())


@pytest.mark.parametrize(
    "shape, sides",
    [((28, 28), [14, 7, 3]), ((16, 16), [8, 4, 2]), ((32, 32), [16, 8, 4]), ((8, 8), [4, 2, 1])],
)
def test_conv_autoencoder_pads_the_last_convolution_as_convdec(shape, sides):
    """ConvDEC pads its last convolution ("same") exactly when the side is a multiple of 8."""
    ae = ConvAutoencoder(shape, 10)
    out, x = [], torch.zeros(1, 1, *shape)
    for m in ae.encoder[1:]:
        x = m(x)
        if isinstance(m, torch.nn.Conv2d):
            out.append(x.shape[-1])
    assert out == sides


def test_build_autoencoder_refuses_conv_without_images():
    cfg = Config.from_profile("quick", arch="conv")
    with pytest.raises(ValueError, match="needs image inputs"):
        build_autoencoder(cfg, 784, None)
    with pytest.raises(ValueError, match="h \\* w = 100"):
        build_autoencoder(cfg, 100, (28, 28))
    assert isinstance(build_autoencoder(Config.from_profile("quick"), 784, None), StackedAutoencoder)
    with pytest.raises(ValueError, match="'end-to-end' with arch='conv'"):
        Config.from_profile("paper", arch="conv")
    with pytest.raises(ValueError, match="config field 'arch'"):
        Config.from_profile("quick", arch="resnet")


@pytest.mark.parametrize("arch", ["mlp", "conv"])
def test_fan_in_uniform_init_draws_every_weight_within_one_over_root_fan_in(arch):
    """init="fan-in-uniform": each weight U(-b, b), b = 1/sqrt(fan_in) (fan_in = weight.shape[1] times
    the kernel area, PyTorch's and Keras's convention alike), every bias zero."""
    torch.manual_seed(0)
    cfg = Config.from_profile("quick", arch=arch, init="fan-in-uniform")
    ae = build_autoencoder(cfg, 784, (28, 28))
    layers = [
        m for m in ae.modules() if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d, torch.nn.ConvTranspose2d))
    ]
    assert len(layers) == 8  # four encoding, four decoding layers in both networks
    for m in layers:
        w = m.weight.detach()
        bound = 1 / math.sqrt(w.shape[1] * math.prod(w.shape[2:]))
        assert w.abs().max() <= bound
        if w.numel() >= 200:
            assert w.abs().max() > 0.9 * bound
            assert w.std().item() == pytest.approx(bound / math.sqrt(3), rel=0.15)
        assert torch.count_nonzero(m.bias) == 0
