/*
 * The wheel-based libLLVM 22.1 is built for X86 only, but inkwell (under
 * wasmer-compiler-llvm) links the initialisers of every target Wasmer
 * supports. Wasmer initialises only the host target, so these are never
 * called; if one were, stopping is the only correct answer.
 */
#include <stdio.h>
#include <stdlib.h>

#define MISSING(name)                                                        \
  void name(void) {                                                          \
    fprintf(stderr, "kobako-aot: %s is not in this LLVM build\n", #name);    \
    abort();                                                                 \
  }

#define MISSING_TARGET(t)                  \
  MISSING(LLVMInitialize##t##Target)       \
  MISSING(LLVMInitialize##t##TargetInfo)   \
  MISSING(LLVMInitialize##t##TargetMC)     \
  MISSING(LLVMInitialize##t##AsmPrinter)   \
  MISSING(LLVMInitialize##t##AsmParser)    \
  MISSING(LLVMInitialize##t##Disassembler)

MISSING_TARGET(AArch64)
MISSING_TARGET(RISCV)
MISSING_TARGET(LoongArch)
