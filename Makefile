# dec-book: every entry point the README, CI and the publishing workflow use.
#   make main    train DEC on the built-in `digits` data (quick profile) and print the metrics
#   make test    install what is needed into .venv, then run every test
#   make bench   the MNIST-test benchmark (needs the IDX files in $(DATA_DIR)/mnist-test)

PYTHON   ?= python3
VENV     ?= .venv
PY       := $(VENV)/bin/python
# torch/torchvision pair that imports together; override for another platform, e.g.
#   make test TORCH="torch torchvision"
TORCH    ?= torch==2.14.1 torchvision==0.29.1
# Folder with one subfolder per dataset (mnist-test/t10k-images-idx3-ubyte.gz, ...).
DATA_DIR ?= $(abspath ../shared/data)
SEEDS    ?= 0

.PHONY: install main test bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q $(TORCH)
	$(PY) -m pip install -q -e ".[test,download]"
	@touch $@

main: install
	$(PY) -m dec train --dataset digits --profile quick --seed 0 --offline --out runs/digits-quick-seed0

test: install
	DEC_TEST_DATA_DIR=$(DATA_DIR) $(PY) -m pytest

bench: install
	DEC_DATA_DIR=$(DATA_DIR) $(PY) benchmarks/bench_mnist_test.py --profile quick --seeds $(SEEDS)

clean:
	rm -rf runs _build .pytest_cache
