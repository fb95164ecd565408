# The one front door. Every target is described in README.md.
CARGO ?= cargo
RELEASE_BIN := target/release/rhaproxy
DEMO_CFG ?= fixtures/haproxy/guide-basic.cfg
FUZZ_SECONDS ?= 60

.PHONY: all build release demo test bench fuzz docs check-docs clean

all: build

build:
	$(CARGO) build --workspace

release:
	$(CARGO) build --release -p rhaproxy

# Validate the guide's basic example like `haproxy -c` would, then show what
# the parser understood of it.
demo: release
	@echo "== rhaproxy -c -f $(DEMO_CFG)"
	@$(RELEASE_BIN) -c -f $(DEMO_CFG); echo "exit status: $$?"
	@echo
	@echo "== what the parser understood"
	@$(CARGO) run -q --release -p rhaproxy --example summary -- $(DEMO_CFG)

# Unit, property, CLI and differential tests (the differential ones run the
# real haproxy when it is installed).
test:
	$(CARGO) build --workspace --bins
	$(CARGO) test --workspace

bench: release
	bash bench/check_bench.sh
	bash bench/tcp_bench.sh

fuzz:
	bash fuzz/run.sh $(FUZZ_SECONDS)

# Regenerate docs/compatibility.md from the keyword table.
docs:
	$(CARGO) run -q -p compat-tests --example compat_doc > docs/compatibility.md

clean:
	$(CARGO) clean
