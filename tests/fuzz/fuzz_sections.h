/*
 * fuzz_sections.h: force-included (-include) into every core source of the
 * fuzz build, never into the harnesses or the HAL. Every writable global
 * of the core, static or not, function-local statics included, lands in
 * ember_data (initialised) or ember_bss (zero), whose bounds the linker
 * names __start_ember_data etc.; fuzz_kernel.c copies their load-time
 * contents back before each input. Constant data is left in .rodata.
 * check-globals.sh verifies that no writable core symbol escaped.
 */
#pragma clang section bss = "ember_bss" data = "ember_data"
