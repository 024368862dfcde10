import os
from pathlib import Path

import pytest
import torch

# One thread: deterministic results that do not depend on the machine's core count, and no
# oversubscription when the notebooks run beside the tests (see README, "threads").
torch.set_num_threads(1)

SHARED_DATA = Path(os.environ.get("DEC_TEST_DATA_DIR", Path(__file__).resolve().parents[2] / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data():
    if not (SHARED_DATA / "mnist-test" / "t10k-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"real MNIST test files not found in {SHARED_DATA}/mnist-test (set DEC_TEST_DATA_DIR)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def digits():
    from dec import load_dataset

    return load_dataset("digits")
