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
	$(CARGO) build --release -p rhaproxy -p rkeepalived

# The guide's SMTP cluster on loopback: two smtp-sink nodes behind rhaproxy,
# mail sent with swaks, a node taken DOWN and back UP by the health checks
# (installs postfix and swaks when run as root on Debian and they are
# missing). HAPROXY_BIN=/usr/sbin/haproxy runs it on the real HAProxy.
demo: release
	@CARGO="$(CARGO)" bash demo/smtp-demo.sh
	@bash demo/vrrp-demo.sh

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
