import importlib.util
import os
from pathlib import Path

import pytest
import torch

# One thread: deterministic results that do not depend on the machine's core count, and no
# oversubscription when the notebooks run beside the tests (see README, "threads").
torch.set_num_threads(1)

# The tests' tiny configuration, defined once: a 2-layer network and short schedules, fractions of
# a second per fit on one CPU thread. Tests that need more (a network that must learn something)
# say what they change: {**TINY, "dims": ...}.
TINY = {
    "dims": (8, 4),
    "finetune_iters": 30,
    "ae_batch_size": 16,
    "dec_batch_size": 16,
    "update_interval": 10,
    "max_iter": 40,
    "kmeans_n_init": 2,
    "augment": "none",
    # the paper's clustering stage, whatever the profile's (the default's is DEC-DA's): the tests
    # that need augmentation or the plateau stop set them
    "dec_augment": "none",
    "dec_patience": 0,
}

ROOT = Path(__file__).resolve().parents[1]


def load_script(path):
    """A script of the repository (``benchmarks/*.py``, ``tools/*.py``; not in a package) as a
    module, so that tests call its functions; ``path`` is relative to the repository root."""
    spec = importlib.util.spec_from_file_location(Path(path).stem, ROOT / path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SHARED_DATA = Path(os.environ.get("DEC_TEST_DATA_DIR", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data():
    if not (SHARED_DATA / "mnist-test" / "t10k-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"real MNIST test files not found in {SHARED_DATA}/mnist-test (set DEC_TEST_DATA_DIR)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def digits():
    from dec import load_dataset

    return load_dataset("digits")
