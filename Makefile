# dec-book: every entry point the README, CI and the publishing workflow use.
#   make main    the main job: execute every chapter and build the book, on MNIST's test set when it is
#                in DATA_DIR or can be downloaded there, otherwise on the built-in `digits` data
#   make test    install what is needed into .venv, then run every test: ruff, pytest, all chapters
#                executed by papermill (real MNIST test set when DATA_DIR has it), nbval, book -W -n;
#                fails if running them changed any file git tracks
#   make record  copy the records of the last chapter run (_build/results) into the ledger (results/)
#   make bench   the MNIST-test benchmark (needs the IDX files in $(DATA_DIR)/mnist-test);
#                BENCH_PROFILE=default for the library's default profile (measured times: README.md)
#   make browser-test   open every page of the built book in headless Chromium (after make book)
#   make student        exercise copies of the chapters (solution cells removed) in _build/student
#   make reproduce      the paper's experiments (chapters 07-) at the paper protocol, for a GPU

PYTHON   ?= python3
VENV     ?= .venv
PY       := $(VENV)/bin/python
# torch/torchvision pair that imports together; override for another platform, e.g.
#   make test TORCH="torch torchvision"
TORCH    ?= torch==2.14.1 torchvision==0.29.1
# Folder with one subfolder per dataset (mnist-test/t10k-images-idx3-ubyte.gz, ...).
DATA_DIR ?= $(abspath ../shared/data)
SEEDS    ?= 0
BENCH_PROFILE ?= quick

# Notebook parameters (papermill -p). `make test` switches NB_DATASET to mnist-test when found.
NB_DATASET ?= digits
NB_PROFILE ?= quick
NB_SEED    ?= 0
NB_DEVICE  ?= auto
NB_JOBS    ?= 2
NB_ARGS    ?=
export DEC_CACHE_DIR ?= $(abspath _build/cache)

# MathJax 3 for offline math, from the npm registry, pinned by version and SHA-256 of the tarball.
# MATHJAX=cdn builds the book with the CDN instead (for a published site that prefers it).
MATHJAX         ?= vendored
MATHJAX_VERSION := 3.2.2
MATHJAX_SHA256  := 1b9c0a1c44df864e915690558e72adb9cc5203360daefd385084ced3b6c64c09
VENDOR          := _build/vendor
BOOK_CONFIG     := $(if $(filter cdn,$(MATHJAX)),--config _build/_config-cdn.yml,)

.PHONY: install install-book main test lint pytest notebooks nbval book mathjax browser-test reproduce student bench \
        record clean

install: $(VENV)/.installed
install-book: $(VENV)/.installed-book

# One pip call per target (the torch pair and the package resolved together); the book target
# installs everything the library target does, so it marks both as done.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q $(TORCH) -e ".[test,download]"
	@touch $@

$(VENV)/.installed-book: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q $(TORCH) -e ".[test,download,book,browser]"
	@touch $@ $(VENV)/.installed

# `make main NB_DATASET=...` runs on that dataset; without it, tools/pick_dataset.py chooses.
main: install-book
ifeq ($(origin NB_DATASET),command line)
	$(MAKE) --no-print-directory book
else
	@ds=$$($(PY) tools/pick_dataset.py --data-dir $(DATA_DIR)) && echo "make main: the chapters run on $$ds" && \
	  $(MAKE) --no-print-directory book NB_DATASET=$$ds
endif

test: install-book
	@mkdir -p _build && git status --porcelain > _build/git-status-before 2>/dev/null || true
	@if [ -f "$(DATA_DIR)/mnist-test/t10k-images-idx3-ubyte.gz" ]; then ds=mnist-test; \
	  else ds=digits; echo "NOTE: $(DATA_DIR)/mnist-test not found: chapters run on digits"; fi; \
	  for stage in lint pytest book browser-test nbval; do t=$$(date +%s); \
	    $(MAKE) --no-print-directory $$stage NB_DATASET=$$ds || exit 1; \
	    echo "== make test: stage $$stage took $$(( $$(date +%s) - t )) s"; done
	@if git rev-parse --git-dir > /dev/null 2>&1; then git status --porcelain > _build/git-status-after; \
	  if cmp -s _build/git-status-before _build/git-status-after; then \
	    echo "checkout clean: the tests changed no file git tracks"; \
	  else echo "FAILED: running the tests changed the checkout (the ledger changes only through make record):"; \
	    diff _build/git-status-before _build/git-status-after; exit 1; fi; \
	else echo "not a git checkout: the clean-checkout check is skipped"; fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

pytest: install
	DEC_TEST_DATA_DIR=$(DATA_DIR) $(PY) -m pytest

# Text form -> .ipynb (one way, never synced back), then executed by papermill into book/chapters:
# the first chapter alone (it fills the autoencoder cache), the rest NB_JOBS at a time, 1 thread each.
notebooks: install-book
	rm -rf _build/results  # this run's records only: `make record` copies exactly these
	$(PY) tools/run_chapters.py --jobs $(NB_JOBS) -p profile $(NB_PROFILE) -p dataset $(NB_DATASET) \
	  -p data_dir $(DATA_DIR) -p seed $(NB_SEED) -p device $(NB_DEVICE) \
	  -p results_dir $(abspath _build/results/experiments) -p ledger_dir $(abspath results/experiments) \
	  -p figures_dir $(abspath _build/figures) -p benchmarks_dir $(abspath results/benchmarks) $(NB_ARGS)

# Re-execute every executed chapter: each cell must run, and the cells tagged nbval-check-output
# (the final metrics) must print the same as in the papermill run (determinism).
NBVAL := $(PY) -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider -q --durations=12
nbval: install-book
	$(NBVAL) $(firstword $(sort $(wildcard book/chapters/*.ipynb)))
	$(NBVAL) -n $(NB_JOBS) --dist loadfile $(wordlist 2,99,$(sort $(wildcard book/chapters/*.ipynb)))

book: notebooks $(if $(filter cdn,$(MATHJAX)),_build/_config-cdn.yml,mathjax)
	$(PY) tools/status_page.py --out book/status.md
	$(PY) tools/instructors_page.py --out book/instructors.md
	$(VENV)/bin/jupyter-book build . -W -n --keep-going $(BOOK_CONFIG)

# Every page of the built book in headless Chromium (Debian's chromium + chromium-driver, installed
# here when missing: needs root, as in CI). Screenshots land in _build/screenshots (CI artefacts).
CHROMIUM     ?= /usr/bin/chromium
CHROMEDRIVER ?= /usr/bin/chromedriver
browser-test: install-book
	@if [ ! -x "$(CHROMIUM)" ] || [ ! -x "$(CHROMEDRIVER)" ]; then \
	  echo "installing Debian's chromium and chromium-driver for the browser test"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi
	CHROMIUM=$(CHROMIUM) CHROMEDRIVER=$(CHROMEDRIVER) $(PY) -m pytest -p no:cacheprovider -q tests_browser

# The paper's experiments (chapters 07-) at the paper's protocol, then the book: meant for a GPU.
#   make reproduce REPRO_DATASET=mnist NB_DEVICE=cuda REPRO_SEEDS=10
# Chapter 7 loops over its seeds itself (n_seeds); chapters 9, 11 and 12 run once per seed (seed 0
# last, so the book shows it) and draw their tables and figures from all seeds in the ledger;
# chapters 8 and 10 show one run (seed 0). It writes its records straight into the ledger
# (results/experiments): running it is an explicit recording step.
REPRO_DATASET ?= mnist
REPRO_SEEDS   ?= 10
REPRO_ARGS     = -p profile paper -p dataset $(REPRO_DATASET) -p data_dir $(DATA_DIR) -p device $(NB_DEVICE) \
                 -p results_dir $(abspath results/experiments) -p ledger_dir $(abspath results/experiments) \
                 -p figures_dir $(abspath _build/figures)
REPRO_SEEDED   = notebooks/09-figure2-update-interval.md notebooks/11-table4-imbalance.md notebooks/12-figure6-choosing-k.md
reproduce: install-book mathjax
	$(PY) tools/run_chapters.py --jobs 1 $(REPRO_ARGS) -p seed 0 -p n_seeds $(REPRO_SEEDS) notebooks/07-table2-baselines.md
	for s in $$(seq 1 $$(($(REPRO_SEEDS) - 1))); do \
	  $(PY) tools/run_chapters.py --jobs 1 --out _build/reproduce-seed$$s $(REPRO_ARGS) -p seed $$s $(REPRO_SEEDED) || exit 1; \
	done
	$(PY) tools/run_chapters.py --jobs 1 $(REPRO_ARGS) -p seed 0 notebooks/08-figures-3-4.md notebooks/10-figure5-tsne.md $(REPRO_SEEDED)
	$(PY) tools/status_page.py --out book/status.md
	$(PY) tools/instructors_page.py --out book/instructors.md
	$(VENV)/bin/jupyter-book build . -W -n --keep-going

# The one explicit step that changes the committed ledger: the records of the last chapter run.
record: install
	$(PY) tools/record_results.py

# Exercise copies of the chapters for students: cells tagged `solution` removed.
student: install-book
	$(PY) tools/student_copy.py --out _build/student

mathjax: $(VENDOR)/mathjax/es5/tex-mml-chtml.js
$(VENDOR)/mathjax/es5/tex-mml-chtml.js:
	rm -rf $(VENDOR)/npm && mkdir -p $(VENDOR)/npm
	cd $(VENDOR)/npm && npm pack --silent mathjax@$(MATHJAX_VERSION) > /dev/null
	echo "$(MATHJAX_SHA256)  $(VENDOR)/npm/mathjax-$(MATHJAX_VERSION).tgz" | sha256sum --check --quiet
	tar xzf $(VENDOR)/npm/mathjax-$(MATHJAX_VERSION).tgz -C $(VENDOR)/npm
	rm -rf $(VENDOR)/mathjax && mkdir -p $(VENDOR)/mathjax
	mv $(VENDOR)/npm/package/es5 $(VENDOR)/npm/package/LICENSE $(VENDOR)/mathjax/
	rm -rf $(VENDOR)/npm

_build/_config-cdn.yml: _config.yml
	@mkdir -p _build
	$(PY) -c "import os, yaml; c = yaml.safe_load(open('_config.yml')); \
	  [c['sphinx']['config'].pop(k) for k in ('mathjax_path', 'html_extra_path')]; \
	  c['sphinx']['local_extensions'] = {k: os.path.abspath(v) for k, v in c['sphinx']['local_extensions'].items()}; \
	  yaml.safe_dump(c, open('$@', 'w'), sort_keys=False)"

bench: install
	DEC_DATA_DIR=$(DATA_DIR) $(PY) benchmarks/bench_mnist_test.py --profile $(BENCH_PROFILE) --seeds $(SEEDS)

clean:
	rm -rf runs _build book/chapters .pytest_cache
