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

#endif
