# The two quick-start commands are `make run` and `make test`. Both install the Debian packages
# the build needs before building, so they work on a fresh machine that has the Swift toolchain.

SWIFT ?= swift
SYSTEM_PACKAGES := liblz4-dev libisal-dev pkg-config libfuse3-dev fuse3 rsync git
RUN_DIR ?= .run
RUN_VOLUME ?= demo
RUN_PORT1 ?= 24101
RUN_PORT2 ?= 24102
RUN_PORT3 ?= 24103
BIN = .build/debug
CLIENT = $(BIN)/jbr-client --volfile $(RUN_DIR)/volfiles/$(RUN_VOLUME).tcp-fuse.vol

.PHONY: run stop test build deps clean simulate nemesis

# Starts a 3-brick volume on loopback (bricks and logs under $(RUN_DIR)), writes and reads a
# file through jbr-client, shows the status, mounts the volume at $(RUN_DIR)/mnt when FUSE is
# available, and leaves it running (`make stop` ends it).
run: deps stop
	$(SWIFT) build --product jbr-server
	$(SWIFT) build --product jbr-client
	rm -rf $(RUN_DIR)
	mkdir -p $(RUN_DIR)
	$(BIN)/jbr-server volgen $(RUN_VOLUME) replica 3 \
		127.0.0.1:$(RUN_PORT1):$(abspath $(RUN_DIR))/bricks/b1 \
		127.0.0.1:$(RUN_PORT2):$(abspath $(RUN_DIR))/bricks/b2 \
		127.0.0.1:$(RUN_PORT3):$(abspath $(RUN_DIR))/bricks/b3 \
		--out $(RUN_DIR)/volfiles
	@for n in 1 2 3; do \
		nohup $(BIN)/jbr-server --volfile $$(ls $(RUN_DIR)/volfiles/*-b$$n.vol) > $(RUN_DIR)/brick$$n.log 2>&1 & \
		echo $$! > $(RUN_DIR)/brick$$n.pid; \
	done
	@echo "waiting for a leader..."; \
	for i in $$(seq 1 100); do \
		$(CLIENT) status 2>/dev/null | grep -q ' leader ' && break; sleep 0.2; \
	done
	$(CLIENT) mkdir /hello
	echo "hello from a replicated volume" > $(RUN_DIR)/hello.txt
	$(CLIENT) put $(RUN_DIR)/hello.txt /hello/world.txt
	$(CLIENT) cat /hello/world.txt
	$(CLIENT) status
	@mkdir -p $(RUN_DIR)/mnt
	@if [ -c /dev/fuse ] && command -v fusermount3 >/dev/null 2>&1; then \
		$(CLIENT) mount $(abspath $(RUN_DIR))/mnt --log-file $(abspath $(RUN_DIR))/mount.log && \
		echo && ls -l $(RUN_DIR)/mnt/hello && cat $(RUN_DIR)/mnt/hello/world.txt; \
	else \
		echo; echo "FUSE is not available here (no /dev/fuse, or no fusermount3): the volume is not mounted; use jbr-client."; \
	fi
	@echo
	@echo "The volume is running. Try:"
	@if grep -qs " $(abspath $(RUN_DIR))/mnt fuse" /proc/self/mounts; then \
		echo "  ls -l $(RUN_DIR)/mnt/hello          # the volume, mounted (FUSE)"; \
		echo "  cp -a SOME_DIR $(RUN_DIR)/mnt/"; \
	fi
	@echo "  $(CLIENT) ls -l /hello"
	@echo "  $(CLIENT) status"
	@echo "Bricks: $(RUN_DIR)/bricks, logs: $(RUN_DIR)/brick*.log. Stop it with: make stop"

# Stops the volume `make run` started: unmounts it, then SIGTERM to the bricks (they finish
# in-flight work and exit).
stop:
	@if grep -qs " $(abspath $(RUN_DIR))/mnt fuse" /proc/self/mounts; then fusermount3 -u $(abspath $(RUN_DIR))/mnt || umount -l $(abspath $(RUN_DIR))/mnt; fi
	@for pidfile in $(RUN_DIR)/brick*.pid; do \
		[ -f "$$pidfile" ] || continue; \
		kill -TERM $$(cat $$pidfile) 2>/dev/null || true; \
		rm -f "$$pidfile"; \
	done

# Builds every product first: the process tests run the real jbr-server next to the tests.
# One test at a time: CPU-bound tests running beside them starved the process tests' clients
# (on 2 cores both of Swift's cooperative threads were busy for ~30 s), and timed them out.
test: deps
	$(SWIFT) build
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --no-parallel

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

clean: stop
	rm -rf .build $(RUN_DIR)

# The long simulation run: SEEDS seeds (default 5000) of the release build; exit 1 on a violation.
SEEDS ?= 5000
simulate: deps
	$(SWIFT) build -c release --product jbr-server
	.build/release/jbr-server simulate --seeds $(SEEDS)

# The long nemesis run: NEMESIS_SECONDS (default 600) of faults on real bricks (release build),
# its history checked; exit 1 on a violation, the run's folder (logs, history) kept then.
NEMESIS_SECONDS ?= 600
nemesis: deps
	$(SWIFT) build -c release --product jbr-server
	.build/release/jbr-server nemesis --seconds $(NEMESIS_SECONDS)
