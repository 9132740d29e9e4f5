/*
 * The two encodings a guest String can have: UTF-8 text (mruby's own) and
 * binary data, the MRB_STR_BINARY bit of patches/0004. Ruby-level API in
 * mrblib/encoding.rb.
 */
#include <mruby.h>
#include <mruby/string.h>

#include "kobako.h"

static mrb_value
str_binary_p(mrb_state *mrb, mrb_value self)
{
  return mrb_bool_value(RSTR_BINARY_P(mrb_str_ptr(self)) != 0);
}

/* String#__kobako_set_binary(flag): marks or unmarks; returns self. */
static mrb_value
str_set_binary(mrb_state *mrb, mrb_value self)
{
  mrb_bool binary;
  mrb_get_args(mrb, "b", &binary);
  struct RString *s = mrb_str_ptr(self);
  mrb_check_frozen(mrb, s);
  /* The ASCII bit is a cache of "all bytes < 0x80"; recomputed on demand. */
  RSTR_UNSET_ASCII_FLAG(s);
  if (binary) RSTR_SET_BINARY_FLAG(s);
  else RSTR_UNSET_BINARY_FLAG(s);
  return self;
}

static mrb_value
str_valid_utf8_p(mrb_state *mrb, mrb_value self)
{
  return mrb_bool_value(kobako_valid_utf8((const unsigned char *)RSTRING_PTR(self),
                                          (size_t)RSTRING_LEN(self)));
}

void
kobako_encoding_init(mrb_state *mrb)
{
  struct RClass *s = mrb->string_class;
  mrb_define_method(mrb, s, "__kobako_binary?", str_binary_p, MRB_ARGS_NONE());
  mrb_define_method(mrb, s, "__kobako_set_binary", str_set_binary, MRB_ARGS_REQ(1));
  mrb_define_method(mrb, s, "__kobako_valid_utf8?", str_valid_utf8_p, MRB_ARGS_NONE());
}
