# The two quick-start commands are `make run` and `make test`. Both install the Debian packages
# the build needs before building, so they work on a fresh machine that has the Swift toolchain.

SWIFT ?= swift
SYSTEM_PACKAGES := liblz4-dev libisal-dev pkg-config
RUN_DIR ?= .run
RUN_VOLUME ?= demo

.PHONY: run test build deps clean

run: deps
	$(SWIFT) build --product jbr-server
	rm -rf $(RUN_DIR)/volfiles
	$(SWIFT) run --skip-build jbr-server volgen $(RUN_VOLUME) replica 3 \
		127.0.0.1:24101:$(abspath $(RUN_DIR))/bricks/b1 \
		127.0.0.1:24102:$(abspath $(RUN_DIR))/bricks/b2 \
		127.0.0.1:24103:$(abspath $(RUN_DIR))/bricks/b3 \
		--out $(RUN_DIR)/volfiles --print

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

build: deps
	$(SWIFT) build

# Installs whichever of SYSTEM_PACKAGES are missing (apt-get; sudo when not root).
deps:
	@command -v $(SWIFT) >/dev/null 2>&1 || { echo "error: '$(SWIFT)' not found; install the Swift 6 toolchain and put it on PATH" >&2; exit 1; }
	@missing=""; \
	for package in $(SYSTEM_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing system packages:$$missing"; \
		sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
		$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi

clean:
	rm -rf .build $(RUN_DIR)
