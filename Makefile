# Thin wrapper: CMake does the building, scripts/ do the rest.
BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: deps web build serve test bench clean

deps:
	bash scripts/install-deps.sh

# Front-end assets from npm (uPlot), embedded into the binary by src/web.
web: deps
	bash web/build.sh

build: deps web
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

serve: build
	bash scripts/serve.sh

test: build
	bash scripts/test.sh $(BUILD)

bench: build
	bash bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD)
