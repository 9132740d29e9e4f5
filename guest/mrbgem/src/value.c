/*
 * Walks an mruby value into the Rust wire sink.
 */
#include <mruby.h>
#include <mruby/array.h>
#include <mruby/variable.h>
#include <mruby/hash.h>
#include <mruby/string.h>
#include <string.h>

#include "kobako.h"

/* Deep enough for any real data; shallow enough that a self-referencing
 * Array (`a = []; a << a`) ends as a clear error instead of a stack overflow. */
#define KOBAKO_MAX_DEPTH 128

static void walk(mrb_state *mrb, mrb_value value, void *sink, int depth);

struct hash_walk {
  void *sink;
  int depth;
};

static int
walk_pair(mrb_state *mrb, mrb_value key, mrb_value val, void *data)
{
  struct hash_walk *hw = data;
  walk(mrb, key, hw->sink, hw->depth);
  walk(mrb, val, hw->sink, hw->depth);
  return 0;
}

/* A String travels as binary when it is marked so (patches/0004) or when its
 * bytes are not UTF-8, which only binary data can be. */
int
kobako_valid_utf8(const unsigned char *s, size_t len)
{
  size_t i = 0;
  while (i < len) {
    unsigned char c = s[i];
    size_t n;
    uint32_t cp, min;
    if (c < 0x80) { i++; continue; }
    if ((c & 0xe0) == 0xc0) { n = 1; cp = c & 0x1f; min = 0x80; }
    else if ((c & 0xf0) == 0xe0) { n = 2; cp = c & 0x0f; min = 0x800; }
    else if ((c & 0xf8) == 0xf0) { n = 3; cp = c & 0x07; min = 0x10000; }
    else return 0;
    if (len - i <= n) return 0;
    for (size_t k = 1; k <= n; k++) {
      if ((s[i + k] & 0xc0) != 0x80) return 0;
      cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    i += n + 1;
  }
  return 1;
}

static void
unsupported(void *sink, const char *what)
{
  kobako_put_unsupported(sink, what, strlen(what));
}

static void
walk(mrb_state *mrb, mrb_value value, void *sink, int depth)
{
  if (depth > KOBAKO_MAX_DEPTH) {
    unsupported(sink, "nesting deeper than 128 levels");
    return;
  }
  switch (mrb_type(value)) {
  case MRB_TT_FALSE:
    if (mrb_nil_p(value)) kobako_put_nil(sink);
    else kobako_put_bool(sink, 0);
    return;
  case MRB_TT_TRUE:
    kobako_put_bool(sink, 1);
    return;
  case MRB_TT_INTEGER:
    kobako_put_int(sink, (int64_t)mrb_integer(value));
    return;
#ifndef MRB_NO_FLOAT
  case MRB_TT_FLOAT:
    kobako_put_float(sink, (double)mrb_float(value));
    return;
#endif
  case MRB_TT_SYMBOL: {
    mrb_int len;
    const char *name = mrb_sym_name_len(mrb, mrb_symbol(value), &len);
    kobako_put_str(sink, name, (size_t)len, KOBAKO_STR_SYMBOL);
    return;
  }
  case MRB_TT_STRING: {
    const char *ptr = RSTRING_PTR(value);
    size_t len = (size_t)RSTRING_LEN(value);
    int text = !RSTR_BINARY_P(mrb_str_ptr(value)) && kobako_valid_utf8((const unsigned char *)ptr, len);
    int kind = text ? KOBAKO_STR_UTF8 : KOBAKO_STR_BINARY;
    kobako_put_str(sink, ptr, len, kind);
    return;
  }
  case MRB_TT_ARRAY: {
    mrb_int len = RARRAY_LEN(value);
    kobako_put_array(sink, (size_t)len);
    /* Re-read the length each step: nothing here runs Ruby code, but stay
     * safe if that ever changes. */
    for (mrb_int i = 0; i < len && i < RARRAY_LEN(value); i++) {
      walk(mrb, RARRAY_PTR(value)[i], sink, depth + 1);
    }
    return;
  }
  case MRB_TT_HASH: {
    struct hash_walk hw = { sink, depth + 1 };
    kobako_put_hash(sink, (size_t)mrb_hash_size(mrb, value));
    mrb_hash_foreach(mrb, mrb_hash_ptr(value), walk_pair, &hw);
    return;
  }
  case MRB_TT_BIGINT:
    unsupported(sink, "Integer beyond the signed 64-bit range");
    return;
  default: {
    uint64_t id;
    if (kobako_handle_id(value, &id)) {
      kobako_put_handle(sink, id);
      return;
    }
    unsupported(sink, mrb_obj_classname(mrb, value));
    return;
  }
  }
}

void
kobako_walk_value(mrb_state *mrb, mrb_value value, void *sink)
{
  walk(mrb, value, sink, 0);
}

void
kobako_walk_nested(mrb_state *mrb, mrb_value value, void *sink, int depth)
{
  walk(mrb, value, sink, depth);
}
