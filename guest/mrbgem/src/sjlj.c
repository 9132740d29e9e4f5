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

/* Called for a longjmp the lowering sees (mruby's go through the inline
 * __kobako_longjmp of <setjmp.h>, which throws the same way). */
void __wasm_longjmp(void *env, int val) {
  __kobako_longjmp(env, val);
}
