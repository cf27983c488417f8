# Shortcuts for the scripts the README names; the scripts are the source of truth.
.PHONY: demo test format
demo:
	bash scripts/demo.sh
test:
	bash scripts/test.sh
format:
	swift format --in-place --recursive Package.swift Sources Tests
