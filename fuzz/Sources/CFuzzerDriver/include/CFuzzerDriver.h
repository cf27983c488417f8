#ifndef RENKEI_CFUZZERDRIVER_H
#define RENKEI_CFUZZERDRIVER_H

#include <stddef.h>
#include <stdint.h>

// libFuzzer's entry point for programs that have their own main: SwiftPM links every executable with its own
// main (`<Module>_main`), so the fuzzers start libFuzzer through this instead of using libFuzzer's main.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));

#endif
