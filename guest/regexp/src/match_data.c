/*
 * MatchData: the groups of one match as byte offsets into a frozen copy of
 * the subject, with the group reads and replacement expansion that sub and
 * gsub need. The rest of its API is in mrblib/match_data.rb.
 */
#include <mruby.h>
#include <mruby/array.h>
#include <mruby/class.h>
#include <mruby/data.h>
#include <mruby/hash.h>
#include <mruby/internal.h>
#include <mruby/presym.h>
#include <mruby/string.h>
#include <mruby/variable.h>
#include <string.h>

#include "kobako_regexp.h"

/* A match: `count` groups, each a [begin, end) byte range or -1, -1. */
struct match {
  int count;
  int offsets[];
};

static void
match_free(mrb_state *mrb, void *ptr)
{
  mrb_free(mrb, ptr);
}

static const struct mrb_data_type match_type = { "MatchData", match_free };

static struct match *
match_ptr(mrb_state *mrb, mrb_value self)
{
  struct match *m = (struct match *)mrb_data_get_ptr(mrb, self, &match_type);
  if (!m) mrb_raise(mrb, E_TYPE_ERROR, "uninitialized MatchData");
  return m;
}

mrb_value
kobako_match_new(mrb_state *mrb, mrb_value regexp, mrb_value str, const OnigRegion *region)
{
  struct RClass *cls = mrb_class_get_id(mrb, MRB_SYM(MatchData));
  struct RData *data = mrb_data_object_alloc(mrb, cls, NULL, &match_type);
  mrb_value md = mrb_obj_value(data);
  int count = region->num_regs;
  struct match *m = mrb_malloc(mrb, sizeof(struct match) + sizeof(int) * 2 * (size_t)count);
  m->count = count;
  for (int i = 0; i < count; i++) {
    m->offsets[2 * i] = region->beg[i];
    m->offsets[2 * i + 1] = region->end[i];
  }
  data->data = m;
  mrb_iv_set(mrb, md, SYM("__regexp"), regexp);
  mrb_iv_set(mrb, md, SYM("__string"), kobako_frozen_copy(mrb, str));
  return md;
}

static mrb_value
group_string(mrb_state *mrb, mrb_value self, struct match *m, mrb_int n)
{
  if (n < 0 || n >= m->count || m->offsets[2 * n] < 0) return mrb_nil_value();
  mrb_value str = mrb_iv_get(mrb, self, SYM("__string"));
  int b = m->offsets[2 * n], e = m->offsets[2 * n + 1];
  return mrb_str_byte_subseq(mrb, str, b, e - b);
}

/* MatchData#regexp and #string: kept in ivars without an '@' that Ruby
 * code cannot write, so the offsets always index the string they came from. */
static mrb_value
match_regexp(mrb_state *mrb, mrb_value self)
{
  return mrb_iv_get(mrb, self, SYM("__regexp"));
}

static mrb_value
match_string(mrb_state *mrb, mrb_value self)
{
  return mrb_iv_get(mrb, self, SYM("__string"));
}

/* MatchData#[](n): groups by number here; names and ranges in Ruby. */
static mrb_value
match_aref(mrb_state *mrb, mrb_value self)
{
  const mrb_value *argv;
  mrb_int argc;
  mrb_get_args(mrb, "*", &argv, &argc);
  struct match *m = match_ptr(mrb, self);
  if (argc == 1 && mrb_integer_p(argv[0])) {
    mrb_int n = mrb_integer(argv[0]);
    if (n < 0) n += m->count;
    return group_string(mrb, self, m, n);
  }
  return mrb_funcall_argv(mrb, self, SYM("__aref"), argc, argv);
}

static mrb_value
match_size(mrb_state *mrb, mrb_value self)
{
  return mrb_int_value(mrb, match_ptr(mrb, self)->count);
}

/* MatchData#byteoffset(n) -> [begin, end] in bytes, or [nil, nil] */
static mrb_value
match_byteoffset(mrb_state *mrb, mrb_value self)
{
  mrb_int n;
  mrb_get_args(mrb, "i", &n);
  struct match *m = match_ptr(mrb, self);
  if (n < 0 || n >= m->count) mrb_raisef(mrb, E_INDEX_ERROR, "index %i out of matches", n);
  mrb_value pair[2] = { mrb_nil_value(), mrb_nil_value() };
  if (m->offsets[2 * n] >= 0) {
    pair[0] = mrb_int_value(mrb, m->offsets[2 * n]);
    pair[1] = mrb_int_value(mrb, m->offsets[2 * n + 1]);
  }
  return mrb_ary_new_from_values(mrb, 2, pair);
}

/* MatchData#offset(n) -> [begin, end] in characters, or [nil, nil] */
static mrb_value
match_offset(mrb_state *mrb, mrb_value self)
{
  mrb_value pair = match_byteoffset(mrb, self);
  mrb_value b = RARRAY_PTR(pair)[0];
  if (mrb_nil_p(b)) return pair;
  const char *s = RSTRING_PTR(mrb_iv_get(mrb, self, SYM("__string")));
  mrb_int e = mrb_integer(RARRAY_PTR(pair)[1]);
  mrb_int cb = mrb_utf8_strlen(s, mrb_integer(b));
  mrb_value chars[2] = { mrb_int_value(mrb, cb),
                         mrb_int_value(mrb, cb + mrb_utf8_strlen(s + mrb_integer(b), e - mrb_integer(b))) };
  return mrb_ary_new_from_values(mrb, 2, chars);
}

static mrb_value
match_pre(mrb_state *mrb, mrb_value self)
{
  struct match *m = match_ptr(mrb, self);
  return mrb_str_byte_subseq(mrb, mrb_iv_get(mrb, self, SYM("__string")), 0, m->offsets[0]);
}

static mrb_value
match_post(mrb_state *mrb, mrb_value self)
{
  struct match *m = match_ptr(mrb, self);
  mrb_value str = mrb_iv_get(mrb, self, SYM("__string"));
  return mrb_str_byte_subseq(mrb, str, m->offsets[1], RSTRING_LEN(str) - m->offsets[1]);
}

/* MatchData#__next_pos: where the next search of a scan starts. After an
 * empty match it moves one character on, so scanning always advances. */
static mrb_value
match_next_pos(mrb_state *mrb, mrb_value self)
{
  struct match *m = match_ptr(mrb, self);
  mrb_int end = m->offsets[1];
  if (m->offsets[0] != end) return mrb_int_value(mrb, end);
  mrb_value str = mrb_iv_get(mrb, self, SYM("__string"));
  const char *s = RSTRING_PTR(str);
  mrb_int len = RSTRING_LEN(str);
  return mrb_int_value(mrb, end + (end < len ? mrb_utf8len(s + end, s + len) : 1));
}

/* The group `name` stands for: the last group of that name that took part
 * in the match, else its last group (which reads as nil). */
static mrb_int
named_group(mrb_state *mrb, mrb_value self, struct match *m, const char *name, mrb_int len)
{
  mrb_value names = mrb_iv_get(mrb, mrb_iv_get(mrb, self, SYM("__regexp")), SYM("__names"));
  mrb_value groups = mrb_hash_p(names) ? mrb_hash_get(mrb, names, mrb_str_new(mrb, name, len))
                                       : mrb_nil_value();
  if (!mrb_array_p(groups)) {
    mrb_raisef(mrb, E_INDEX_ERROR, "undefined group name reference: %v", mrb_str_new(mrb, name, len));
  }
  for (mrb_int i = RARRAY_LEN(groups) - 1; i >= 0; i--) {
    mrb_int n = mrb_integer(RARRAY_PTR(groups)[i]);
    if (n < m->count && m->offsets[2 * n] >= 0) return n;
  }
  return mrb_integer(RARRAY_PTR(groups)[RARRAY_LEN(groups) - 1]);
}

/* MatchData#__group_number(group): a group's number, from a number, a
 * String or a Symbol; IndexError for a name the pattern lacks. */
static mrb_value
match_group_number(mrb_state *mrb, mrb_value self)
{
  mrb_value group;
  mrb_get_args(mrb, "o", &group);
  if (mrb_integer_p(group)) return group;
  mrb_value name = mrb_symbol_p(group) ? mrb_sym_str(mrb, mrb_symbol(group)) : mrb_obj_as_string(mrb, group);
  return mrb_int_value(mrb, named_group(mrb, self, match_ptr(mrb, self), RSTRING_PTR(name), RSTRING_LEN(name)));
}

/* MatchData#__expand(template): a sub/gsub replacement String with \0-\9,
 * \&, \`, \', \\ and \k<name> filled in. */
static mrb_value
match_expand(mrb_state *mrb, mrb_value self)
{
  mrb_value tpl;
  mrb_get_args(mrb, "S", &tpl);
  struct match *m = match_ptr(mrb, self);
  const char *p = RSTRING_PTR(tpl), *e = p + RSTRING_LEN(tpl);
  if (!memchr(p, '\\', e - p)) return mrb_str_dup(mrb, tpl);

  mrb_value out = mrb_str_new_capa(mrb, RSTRING_LEN(tpl));
  while (p < e) {
    const char *bs = memchr(p, '\\', e - p);
    if (!bs) {
      mrb_str_cat(mrb, out, p, e - p);
      break;
    }
    mrb_str_cat(mrb, out, p, bs - p);
    if (bs + 1 == e) {
      mrb_str_cat(mrb, out, "\\", 1);
      break;
    }
    char c = bs[1];
    p = bs + 2;
    mrb_value piece = mrb_nil_value();
    switch (c) {
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      piece = group_string(mrb, self, m, c - '0');
      break;
    case '&':
      piece = group_string(mrb, self, m, 0);
      break;
    case '`':
      piece = match_pre(mrb, self);
      break;
    case '\'':
      piece = match_post(mrb, self);
      break;
    case '\\':
      mrb_str_cat(mrb, out, "\\", 1);
      break;
    case 'k': {
      const char *close = p < e && *p == '<' ? memchr(p, '>', e - p) : NULL;
      if (!close) {
        mrb_str_cat(mrb, out, "\\k", 2);
        break;
      }
      piece = group_string(mrb, self, m, named_group(mrb, self, m, p + 1, close - p - 1));
      p = close + 1;
      break;
    }
    default:
      mrb_str_cat(mrb, out, bs, 2);
      break;
    }
    if (mrb_string_p(piece)) mrb_str_cat_str(mrb, out, piece);
  }
  return out;
}

/* MatchData#__named(name) -> the group's String or nil; IndexError if the
 * pattern has no such name. */
static mrb_value
match_named(mrb_state *mrb, mrb_value self)
{
  const char *name;
  mrb_int len;
  mrb_get_args(mrb, "s", &name, &len);
  struct match *m = match_ptr(mrb, self);
  return group_string(mrb, self, m, named_group(mrb, self, m, name, len));
}

void
kobako_match_data_init(mrb_state *mrb)
{
  struct RClass *md = mrb_define_class(mrb, "MatchData", mrb->object_class);
  MRB_SET_INSTANCE_TT(md, MRB_TT_CDATA);
  mrb_undef_class_method(mrb, md, "new");
  mrb_define_method(mrb, md, "[]", match_aref, MRB_ARGS_ANY());
  mrb_define_method(mrb, md, "regexp", match_regexp, MRB_ARGS_NONE());
  mrb_define_method(mrb, md, "string", match_string, MRB_ARGS_NONE());
  mrb_define_method(mrb, md, "size", match_size, MRB_ARGS_NONE());
  mrb_define_method(mrb, md, "length", match_size, MRB_ARGS_NONE());
  mrb_define_method(mrb, md, "byteoffset", match_byteoffset, MRB_ARGS_REQ(1));
  mrb_define_method(mrb, md, "__offset", match_offset, MRB_ARGS_REQ(1));
  mrb_define_method(mrb, md, "pre_match", match_pre, MRB_ARGS_NONE());
  mrb_define_method(mrb, md, "post_match", match_post, MRB_ARGS_NONE());
  mrb_define_method(mrb, md, "__next_pos", match_next_pos, MRB_ARGS_NONE());
  mrb_define_method(mrb, md, "__expand", match_expand, MRB_ARGS_REQ(1));
  mrb_define_method(mrb, md, "__named", match_named, MRB_ARGS_REQ(1));
  mrb_define_method(mrb, md, "__group_number", match_group_number, MRB_ARGS_REQ(1));
}
