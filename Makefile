# dec-book: every entry point the README, CI and the publishing workflow use.
#   make main    the main job: execute every chapter on the built-in `digits` data and build the book
#   make test    install what is needed into .venv, then run every test: pytest, all chapters
#                executed by papermill (real MNIST test set when DATA_DIR has it), nbval, book -W -n
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

# Notebook parameters (papermill -p). `make test` switches NB_DATASET to mnist-test when found.
NB_DATASET ?= digits
NB_PROFILE ?= quick
NB_SEED    ?= 0
NB_DEVICE  ?= auto
NB_JOBS    ?= 2
NB_ARGS    ?=
export DEC_CACHE_DIR ?= $(abspath _build/cache)

.PHONY: install install-book main test pytest notebooks nbval book bench clean

install: $(VENV)/.installed
install-book: $(VENV)/.installed-book

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q $(TORCH)
	$(PY) -m pip install -q -e ".[test,download]"
	@touch $@

$(VENV)/.installed-book: $(VENV)/.installed
	$(PY) -m pip install -q -e ".[test,download,book]"
	@touch $@

main: book

test: install-book
	@if [ -f "$(DATA_DIR)/mnist-test/t10k-images-idx3-ubyte.gz" ]; then ds=mnist-test; \
	  else ds=digits; echo "NOTE: $(DATA_DIR)/mnist-test not found: chapters run on digits"; fi; \
	  $(MAKE) --no-print-directory pytest book nbval NB_DATASET=$$ds

pytest: install
	DEC_TEST_DATA_DIR=$(DATA_DIR) $(PY) -m pytest

# Text form -> .ipynb (one way, never synced back), then executed by papermill into book/chapters:
# the first chapter alone (it fills the autoencoder cache), the rest NB_JOBS at a time, 1 thread each.
notebooks: install-book
	$(PY) tools/run_chapters.py --jobs $(NB_JOBS) -p profile $(NB_PROFILE) -p dataset $(NB_DATASET) \
	  -p data_dir $(DATA_DIR) -p seed $(NB_SEED) -p device $(NB_DEVICE) $(NB_ARGS)

# Re-execute every executed chapter: each cell must run, and the cells tagged nbval-check-output
# (the final metrics) must print the same as in the papermill run (determinism).
NBVAL := $(PY) -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider -q
nbval: install-book
	$(NBVAL) $(firstword $(sort $(wildcard book/chapters/*.ipynb)))
	$(NBVAL) -n $(NB_JOBS) --dist loadfile $(wordlist 2,99,$(sort $(wildcard book/chapters/*.ipynb)))

book: notebooks
	$(VENV)/bin/jupyter-book build . -W -n --keep-going

bench: install
	DEC_DATA_DIR=$(DATA_DIR) $(PY) benchmarks/bench_mnist_test.py --profile quick --seeds $(SEEDS)

clean:
	rm -rf runs _build book/chapters .pytest_cache
