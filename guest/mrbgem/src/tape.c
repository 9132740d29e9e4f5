/*
 * Builds mruby values from the flattened form the Rust side decodes host
 * values into (see kobako.h).
 */
#include <mruby.h>
#include <mruby/array.h>
#include <mruby/hash.h>
#include <mruby/string.h>

#include "kobako.h"

mrb_value
kobako_build_value(mrb_state *mrb, const struct kobako_tape_item *items, size_t count, size_t *pos)
{
  if (*pos >= count) {
    mrb_raise(mrb, E_ARGUMENT_ERROR, "kobako: truncated value from the host");
  }
  const struct kobako_tape_item *item = &items[(*pos)++];
  switch (item->kind) {
  case KOBAKO_TAPE_NIL: return mrb_nil_value();
  case KOBAKO_TAPE_TRUE: return mrb_true_value();
  case KOBAKO_TAPE_FALSE: return mrb_false_value();
  case KOBAKO_TAPE_INT: return mrb_int_value(mrb, (mrb_int)item->integer);
  case KOBAKO_TAPE_FLOAT: return mrb_float_value(mrb, (mrb_float)item->number);
  case KOBAKO_TAPE_STR:
    return mrb_str_new(mrb, item->ptr, (size_t)item->len);
  case KOBAKO_TAPE_BYTES: {
    mrb_value bytes = mrb_str_new(mrb, item->ptr, (size_t)item->len);
    RSTR_SET_BINARY_FLAG(mrb_str_ptr(bytes));
    return bytes;
  }
  case KOBAKO_TAPE_SYMBOL:
    return mrb_symbol_value(mrb_intern(mrb, item->ptr, (size_t)item->len));
  case KOBAKO_TAPE_ARRAY: {
    mrb_value array = mrb_ary_new_capa(mrb, (mrb_int)item->len);
    int ai = mrb_gc_arena_save(mrb);
    for (uint32_t i = 0; i < item->len; i++) {
      mrb_ary_push(mrb, array, kobako_build_value(mrb, items, count, pos));
      mrb_gc_arena_restore(mrb, ai);
    }
    return array;
  }
  case KOBAKO_TAPE_HASH: {
    mrb_value hash = mrb_hash_new_capa(mrb, (mrb_int)item->len);
    int ai = mrb_gc_arena_save(mrb);
    for (uint32_t i = 0; i < item->len; i++) {
      mrb_value key = kobako_build_value(mrb, items, count, pos);
      mrb_value val = kobako_build_value(mrb, items, count, pos);
      mrb_hash_set(mrb, hash, key, val);
      mrb_gc_arena_restore(mrb, ai);
    }
    return hash;
  }
  case KOBAKO_TAPE_DECIMAL_INTEGER:
    return mrb_str_to_integer(mrb, mrb_str_new(mrb, item->ptr, (size_t)item->len), 10, FALSE);
  case KOBAKO_TAPE_HANDLE: {
    return kobako_handle_new(mrb, (uint64_t)item->integer);
  }
  default:
    mrb_raise(mrb, E_ARGUMENT_ERROR, "kobako: unknown value kind from the host");
  }
}
