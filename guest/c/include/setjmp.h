/*
 * setjmp/longjmp for the kobako guest.
 *
 * Debian's wasi-libc predates setjmp support. With `-mllvm -wasm-enable-sjlj`
 * clang lowers setjmp/longjmp onto Wasm exception handling and only needs
 * this declaration plus the small runtime in ../sjlj.c.
 */
#ifndef KOBAKO_SETJMP_H
#define KOBAKO_SETJMP_H

/* Layout private to ../sjlj.c: the invocation id of the function that
 * called setjmp, its label, and the {env, val} pair a longjmp throws. */
typedef struct {
  void *invocation;
  unsigned int label;
  void *thrown_env;
  int thrown_val;
} __kobako_jmp_buf;

typedef __kobako_jmp_buf jmp_buf[1];

int setjmp(jmp_buf env) __attribute__((returns_twice));
_Noreturn void longjmp(jmp_buf env, int val);

/* Tag index 1 is the C-longjmp tag in LLVM's Wasm EH lowering. */
#define __KOBAKO_C_LONGJMP_TAG 1

/* What a longjmp does: record {env, val} and throw them with the C-longjmp
 * tag (the catching side reads them through the pointer thrown). Inlined
 * where mruby raises: the host's unwinder pays for every frame between a
 * throw and its catch, twice, and a call to __wasm_longjmp would be one
 * more frame. */
static inline __attribute__((always_inline)) _Noreturn void
__kobako_longjmp(jmp_buf env, int val) {
  env->thrown_env = env;
  env->thrown_val = val == 0 ? 1 : val;
  __builtin_wasm_throw(__KOBAKO_C_LONGJMP_TAG, &env->thrown_env);
}

#define longjmp(env, val) __kobako_longjmp((env), (val))

#endif
