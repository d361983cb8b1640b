# Belfry's two commands:  make run  (the app, with demo data)  and  make test.
# Both install what they need first and skip what is already there.

export CARGO_TARGET_DIR ?= $(HOME)/.cache/belfry/target
SITE := $(CARGO_TARGET_DIR)/site

.PHONY: run release test setup lint unit site size server e2e api-fuzz bench bench-pg bench-pg-floor bench-sfu bench-sfu-capacity bench-sfu-capacity-net bench-sfu-join bench-sfu-vs-janus bench-phone bench-loss bench-push bench-sign-in soak fuzz icons clean-data

run: server site
	BELFRY_DEMO=$${BELFRY_DEMO:-true} BELFRY_SITE_ROOT=$(SITE) \
	  exec $(CARGO_TARGET_DIR)/debug/belfry

# An optimised server for deployment: target/…/release/belfry plus $(SITE).
release: site
	.ci/setup build
	cargo build --release --features ssr --bin belfry

test:
	.ci/test

setup:
	.ci/setup test

lint:
	.ci/check-layers
	cargo fmt --check
	cargo clippy --features ssr --all-targets -- -D warnings
	cargo clippy --lib --target wasm32-unknown-unknown --features hydrate -- -D warnings

unit:
	cargo test --features ssr

site:
	.ci/setup build
	.ci/build-site $(SITE)

# What the browser downloads for a page: each file as the server sends it,
# gzip (Zopfli) and brotli 11 (made by .ci/build-site), and in all.
# The e2e test tests/page_weight.spec.ts counts the bytes on the wire.
size: site
	@cd $(SITE)/pkg && gz=0 && br=0 && printf '%10s %10s %10s\n' raw gzip brotli && \
	  for f in belfry_bg.wasm belfry.js __wasm_split.js belfry.css; do \
	    r=$$(wc -c < $$f); g=$$(wc -c < $$f.gz); b=$$(wc -c < $$f.br); gz=$$((gz + g)); br=$$((br + b)); \
	    printf '%10d %10d %10d  %s\n' $$r $$g $$b $$f; done; \
	  printf '%10s %10d %10d  in all\n' '' $$gz $$br

server:
	.ci/setup build
	cargo build --features ssr --bin belfry

# Schemathesis against a live Belfry and its /api/openapi.json (part of
# make test). API_FUZZ_SEED=random for a fresh seed, API_FUZZ_EXAMPLES=N.
api-fuzz: server site
	.ci/setup test
	.ci/api-fuzz $(CARGO_TARGET_DIR)/debug/belfry $(SITE)

# Call signalling under load (1,000 live streams); prints its numbers.
bench:
	cargo bench --features ssr --bench call_signal

# The same on PostgreSQL, in a throwaway cluster (.ci/postgres).
bench-pg:
	.ci/setup test
	@pg=$$(mktemp -d); url=$$(.ci/postgres start $$pg) || exit 1; \
	  BENCH_DATABASE_URL=$$url cargo bench --features ssr --bench call_signal; rc=$$?; \
	  .ci/postgres stop $$pg; exit $$rc

# PostgreSQL's own ceiling for the call cycle here, without Belfry:
# pgbench sends a cycle's writes (and reads) to a throwaway cluster.
bench-pg-floor:
	.ci/setup test
	benches/pg_floor/run

# The soak (not in make test): the release server for 10 minutes with 500
# live streams and 100 calls at once, audio through the embedded SFU;
# SOAK_MINUTES, SOAK_STREAMS and SOAK_CALLS change the load.
soak:
	.ci/setup build
	cargo build --release --features ssr --bin belfry
	SOAK_BIN=$(CARGO_TARGET_DIR)/release/belfry cargo bench --features ssr --bench soak

# Coverage-guided fuzzing (not in make test): each target in fuzz/ for
# FUZZ_SECONDS (600); the corpus grows in fuzz/corpus/.
fuzz:
	.ci/fuzz

# Audio forwarding under load (synthetic str0m peers on loopback).
bench-sfu:
	cargo bench --features ssr --bench sfu_forward

# The most the SFU forwards at <= 80 % of a core: rooms of 50 (10 speaking)
# added one at a time, each step measured.
bench-sfu-capacity:
	BENCH_RAMP=1 BENCH_ROOMS=$${BENCH_ROOMS:-14} BENCH_SIZE=$${BENCH_SIZE:-50} \
	  BENCH_PUBLISHERS=$${BENCH_PUBLISHERS:-10} cargo bench --features ssr --bench sfu_forward

# The same with the listeners' kernel work off the SFU's core: the peers in
# their own network namespace behind a veth pair (needs root and iproute2).
bench-sfu-capacity-net:
	BENCH_NET=veth $(MAKE) bench-sfu-capacity

# Belfry's SFU (the media role's own process) and Janus 1.1.2 (Debian's,
# installed here if missing) side by side on the same synthetic peers over
# a veth pair, each alone on one core: rooms of 50 (10 speaking) and rooms
# of 6 (all speaking) added until the server's core passes 80 %. Needs root.
bench-sfu-vs-janus:
	@command -v janus >/dev/null || { apt-get update && apt-get install -y janus; }
	cargo bench --features ssr --bench sfu_vs_janus

# What a join into a room of 50 costs the SFU's thread (peer connections
# made on it, or beforehand as the driver does).
bench-sfu-join:
	cargo bench --features ssr --bench sfu_join

# 100 sign-ins at once: the server's peak memory and a normal sign-in's wait.
# Concealment with RED on and off at 0-20 % loss (a lossy relay; Chromium
# publisher and listener in a network namespace).
bench-loss: server site
	.ci/setup test
	BELFRY_BENCH_LOSS=1 .ci/e2e-netns $(CARGO_TARGET_DIR)/debug/belfry $(SITE) tests/red_loss.netns.spec.ts

# What a person on a mid-range phone waits for (Chromium's CPU 4x slower,
# a 1.6/0.75 Mbps, 150 ms link, through DevTools), against the release
# server: medians of BENCH_RUNS (5). Not part of make test.
bench-phone: site
	.ci/setup test
	cargo build --release --features ssr --bin belfry
	E2E_BENCH=1 .ci/e2e $(CARGO_TARGET_DIR)/release/belfry $(SITE) tests/phone.bench.ts

bench-sign-in:
	cargo bench --features ssr --bench sign_in_burst

# What each Web Push message costs the server (encryption and signature).
bench-push:
	cargo bench --features ssr --bench push_crypto

e2e: server site
	.ci/e2e $(CARGO_TARGET_DIR)/debug/belfry $(SITE)

# Re-renders the app icons in public/ from their SVGs (the PNGs are committed).
icons:
	.ci/setup test
	cd end2end && node tools/icons.mjs

clean-data:
	rm -rf data
