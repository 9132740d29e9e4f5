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
void kobako_put_handle(void *sink, uint64_t id);
/* A value with no wire form; `what` names it for the error message. */
void kobako_put_unsupported(void *sink, const char *what, size_t len);
/* The uncaught exception of an invocation: its class, its message, then one
 * call per backtrace line. */
void kobako_put_error(void *sink, const char *klass, size_t klass_len,
                      const char *message, size_t message_len);
void kobako_put_backtrace_line(void *sink, const char *line, size_t len);
/* The next complete value walked is the error's details (a Hash). */
void kobako_put_details(void *sink);
/* Where the error reported last came from (see guest/src/sink.rs). */
enum { KOBAKO_ORIGIN_SERVICE = 1, KOBAKO_ORIGIN_BYTECODE = 2 };
void kobako_put_origin(void *sink, int kind, const char *failure, size_t len);
/* The ivar where the glue keeps a service failure, sealed by the host, on
 * the ServiceError it raises. Its name has no '@', so Ruby code can neither
 * read nor write it; dup, clone and #exception copy it, and re-raising a
 * copy is still re-raising the host's failure. */
#define KOBAKO_FAILURE_IVAR "__kobako_failure"

/* A value the host sent, flattened depth-first (guest/src/tape.rs). */
enum kobako_tape_kind {
  KOBAKO_TAPE_NIL = 0, KOBAKO_TAPE_TRUE = 1, KOBAKO_TAPE_FALSE = 2,
  KOBAKO_TAPE_INT = 3, KOBAKO_TAPE_FLOAT = 4, KOBAKO_TAPE_STR = 5,
  KOBAKO_TAPE_BYTES = 6, KOBAKO_TAPE_SYMBOL = 7, KOBAKO_TAPE_ARRAY = 8,
  KOBAKO_TAPE_HASH = 9, KOBAKO_TAPE_HANDLE = 10,
  /* Decimal digits of an Integer of any size; only JSON.parse makes these. */
  KOBAKO_TAPE_DECIMAL_INTEGER = 11
};

struct kobako_tape_item {
  uint32_t kind;
  uint32_t len;     /* bytes of a string, elements of an array, pairs of a hash */
  int64_t integer;
  double number;
  const char *ptr;
};

/* Builds the value that starts at items[*pos]; advances *pos past it. May
 * raise (NoMemoryError), so it runs under protection. */
mrb_value kobako_build_value(mrb_state *mrb, const struct kobako_tape_item *items, size_t count,
                             size_t *pos);

/* Whether `len` bytes at `s` are well-formed UTF-8. */
int kobako_valid_utf8(const unsigned char *s, size_t len);

/* Looks up the classes service calls use, once, when the interpreter boots. */
void kobako_services_boot(mrb_state *mrb);

/* Kobako::Handle, the guest-side proxy for a host object. Its id lives in C
 * data that Ruby code cannot create or change, so a script cannot forge a
 * Handle from an integer. */
mrb_value kobako_handle_new(mrb_state *mrb, uint64_t id);
/* Whether `value` is a Handle; if so, stores its id. */
int kobako_handle_id(mrb_value value, uint64_t *id);

/* Reports `exc` as the invocation's error into `sink`. */
void kobako_report_error(mrb_state *mrb, mrb_value exc, void *sink);

/* Implemented in C (value.c): walk `value` into `sink`. May raise
 * (NoMemoryError) and must therefore run under protection. */
void kobako_walk_value(mrb_state *mrb, mrb_value value, void *sink);
/* The same, for `value` as an element `depth` levels inside the value being
 * walked (the nesting limit counts from that value's top). */
void kobako_walk_nested(mrb_state *mrb, mrb_value value, void *sink, int depth);

#endif
