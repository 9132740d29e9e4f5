/*
 * The C side of the guest ABI. Everything that touches mruby's internals is
 * in C; the Rust side (guest/src) owns buffers and the MessagePack encoding.
 * Ruby exceptions never unwind into Rust: every entry point below runs its
 * work under mrb_protect_error().
 */
#ifndef KOBAKO_GLUE_H
#define KOBAKO_GLUE_H

#include <mruby.h>
#include <stddef.h>
#include <stdint.h>

/* How a string travels: see kobako_put_str(). */
enum kobako_str_kind { KOBAKO_STR_UTF8 = 0, KOBAKO_STR_BINARY = 1, KOBAKO_STR_SYMBOL = 2 };

/* Implemented in Rust (guest/src/sink.rs): a sink that builds one wire value
 * from a depth-first walk. Containers announce their length first, then
 * their elements (hash: key, value, key, value, ...) follow. */
void kobako_put_nil(void *sink);
void kobako_put_bool(void *sink, int value);
void kobako_put_int(void *sink, int64_t value);
void kobako_put_float(void *sink, double value);
void kobako_put_str(void *sink, const char *ptr, size_t len, int kind);
void kobako_put_array(void *sink, size_t len);
void kobako_put_hash(void *sink, size_t len);
/* A value with no wire form; `what` names it for the error message. */
void kobako_put_unsupported(void *sink, const char *what, size_t len);
/* The uncaught exception of an invocation: its class, its message, then one
 * call per backtrace line. */
void kobako_put_error(void *sink, const char *klass, size_t klass_len,
                      const char *message, size_t message_len);
void kobako_put_backtrace_line(void *sink, const char *line, size_t len);

/* Implemented in C (value.c): walk `value` into `sink`. May raise
 * (NoMemoryError) and must therefore run under protection. */
void kobako_walk_value(mrb_state *mrb, mrb_value value, void *sink);

#endif
