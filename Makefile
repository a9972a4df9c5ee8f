# The two commands a person needs: `make run` and `make test`. Both bootstrap themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed
WIDGET := widget/dist/widget.js
NODE_STAMP := node_modules/.installed
SITE := tests/fixtures/docusaurus_site
SITE_STAMP := $(SITE)/node_modules/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: run test bootstrap serve ingest lint bench langgraph-venv eval eval-dev widget clean

# Everything `make test` needs; `make run` needs only $(RUN_STAMP) and $(WIDGET).
bootstrap: $(STAMP) $(NODE_STAMP) $(SITE_STAMP)

# What running needs: the package (no PyTorch: the encoder runs on ONNX Runtime). A wheel build exports the
# model itself (setup.py); an editable install does not run that hook, so the export (onnx + safetensors,
# build-time only) is a step here.
$(RUN_STAMP): pyproject.toml setup.py scripts/export_minilm_onnx.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -e . 'onnx>=1.16' 'safetensors>=0.4'
	$(PY) scripts/export_minilm_onnx.py --out src/booktutor/providers/minilm
	touch $(RUN_STAMP)

# The test, lint and eval tools and every optional extra except the PyTorch encoder.
$(STAMP): $(RUN_STAMP)
	$(PY) -m pip install --disable-pip-version-check -q -e '.[dev]'
	touch $(STAMP)

# The chat widget bundle served at /widget.js (esbuild; no browser tooling).
$(WIDGET): package.json package-lock.json $(wildcard widget/src/*.js)
	npm ci --omit=dev --no-audit --no-fund --loglevel=error
	npm run --silent build:widget

# Test-only Node pieces: the AG-UI client test, playwright-core and Chromium for the browser tests.
$(NODE_STAMP): $(WIDGET)
	command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq chromium; } || echo "chromium missing: browser tests will skip"
	npm install --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

# Docusaurus 3 (pinned in its lockfile) for the test site that uses packages/docusaurus-plugin-booktutor.
$(SITE_STAMP): $(SITE)/package.json $(SITE)/package-lock.json packages/docusaurus-plugin-booktutor/package.json
	npm ci --prefix $(SITE) --no-audit --no-fund --loglevel=error
	touch $(SITE_STAMP)

widget: $(WIDGET)
	npm run --silent build:widget

run: $(RUN_STAMP) $(WIDGET)
	$(BIN)/booktutor db upgrade
	$(BIN)/booktutor ingest --sample
	$(BIN)/booktutor serve

# On two pytest-xdist workers, each with its own database and temporary folders; the browser tests run one
# after another on one worker (pytest_xdist_make_scheduler in tests/conftest.py). TEST_WORKERS=0: one process.
TEST_WORKERS ?= 2
test: bootstrap
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS)

lint: bootstrap
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo
	$(BIN)/hadolint Dockerfile

# Benchmarks need the `bench` extra (locust) and, for the ONNX-vs-PyTorch encoder comparison, the `torch`
# extra (a CPU build of torch first); CI installs neither. About 17 minutes on a quiet 2-core machine.
bench: bootstrap langgraph-venv
	$(PY) -m pip install --disable-pip-version-check -q torch==2.13.0
	$(PY) -m pip install --disable-pip-version-check -q -e '.[torch,bench]'
	$(BIN)/python -m benchmarks.run_all

# `langgraph dev` for the engine comparison (benchmarks/stream_latency.py): langgraph-cli[inmem] pins
# structlog < 26, protobuf < 7 and grpcio < 1.82 (the project has newer), so it gets a venv of its own that sees the
# project's packages after its own.
langgraph-venv: bootstrap
	test -x .venv-langgraph/bin/langgraph || ( $(PYTHON) -m venv .venv-langgraph \
		&& .venv-langgraph/bin/pip install --disable-pip-version-check -q 'langgraph-cli[inmem]' \
		&& echo "import site; site.addsitedir('$(CURDIR)/$$(ls -d $(VENV)/lib/python3*/site-packages)')" \
			> "$$(ls -d .venv-langgraph/lib/python3*/site-packages)/booktutor-project.pth" )

# The full answer-quality evaluation on the bundled book: report under eval-out/, results in docs/evals.md.
eval: bootstrap
	$(BIN)/booktutor eval run --dataset src/booktutor/evals/datasets/sample-book.jsonl \
		--corpus src/booktutor/sample_book --book-id physical-ai-short-course --out eval-out --docs docs/evals.md \
		--min hit@5=0.9 --min mrr@10=0.85 --min citation_precision=0.9 --min keyword_recall=0.7 \
		--max false_abstention_rate=0.1 --min evidence_recall=0.77 --min section_citation_precision=0.88 \
		--max echo_rate=0.04 --max dangling_rate=0.03

# Per-book results in docs/evals.md for the development books: three textbooks (absent ones are skipped) and
# the fixture course tests/fixtures/network_course.
SHARED ?= ../shared
EVAL_DEV_OUT ?= eval-out/dev
EVAL_DEV_BEFORE ?= docs/evals-dev-before.json
eval-dev: $(STAMP)
	@set -e; reports=""; \
	book() { name=$$1 dataset=$$2 corpus=$$3; shift 3; \
	  if [ ! -f "$$dataset" ] || [ ! -d "$$corpus" ]; then echo "eval-dev: skipping $$name ($$corpus absent)" >&2; return 0; fi; \
	  $(BIN)/booktutor eval run --dataset "$$dataset" --corpus "$$corpus" --out $(EVAL_DEV_OUT)/$$name "$$@"; \
	  reports="$$reports --report $$name=$(EVAL_DEV_OUT)/$$name/report.json"; }; \
	book sample-book src/booktutor/evals/datasets/sample-book.jsonl src/booktutor/sample_book --book-id physical-ai-short-course; \
	book robotics-book-en-ur $(SHARED)/corpus/robotics-book-en-ur.eval.jsonl $(SHARED)/corpus/robotics-book-en-ur; \
	book physical-ai-textbook-mdx $(SHARED)/corpus/physical-ai-textbook-mdx.eval.jsonl $(SHARED)/corpus/physical-ai-textbook-mdx; \
	book network-course src/booktutor/evals/datasets/network-course.jsonl tests/fixtures/network_course; \
	before=""; [ -f $(EVAL_DEV_BEFORE) ] && before="--before $(EVAL_DEV_BEFORE)"; \
	$(BIN)/booktutor eval books $$reports $$before --docs docs/evals.md

clean:
	rm -rf $(VENV) node_modules .booktutor $(SITE)/node_modules $(SITE)/.docusaurus
