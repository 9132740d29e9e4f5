/*
 * Runtime for LLVM's Wasm setjmp/longjmp lowering (-mllvm -wasm-enable-sjlj).
 *
 * The lowering rewrites every setjmp into __wasm_setjmp(), which records which
 * function invocation owns the buffer, and every longjmp into
 * __wasm_longjmp(), which throws a Wasm exception with the C-longjmp tag.
 * Functions that called setjmp catch that tag and ask __wasm_setjmp_test()
 * whether the buffer is theirs. This file must itself be compiled with
 * -wasm-enable-sjlj so that the __c_longjmp tag gets defined.
 */
#include <setjmp.h>
#include <stdint.h>

/* Tag index 1 is the C-longjmp tag in LLVM's Wasm EH lowering. */
#define C_LONGJMP_TAG 1

void __wasm_setjmp(void *env, uint32_t label, void *invocation) {
  __kobako_jmp_buf *buf = env;
  if (label == 0 || invocation == 0) __builtin_trap();
  buf->invocation = invocation;
  buf->label = label;
}

uint32_t __wasm_setjmp_test(void *env, void *invocation) {
  __kobako_jmp_buf *buf = env;
  if (buf->label == 0 || invocation == 0) __builtin_trap();
  return buf->invocation == invocation ? buf->label : 0;
}

void __wasm_longjmp(void *env, int val) {
  __kobako_jmp_buf *buf = env;
  buf->thrown_env = env;
  buf->thrown_val = val == 0 ? 1 : val;
  /* The catching side reads {env, val} through this pointer. */
  __builtin_wasm_throw(C_LONGJMP_TAG, &buf->thrown_env);
}
