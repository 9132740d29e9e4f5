/*
 * Regexp and MatchData on Oniguruma (Ruby syntax, UTF-8).
 *
 * C does what must be fast or touches Oniguruma: compiling, searching,
 * building MatchData, reading groups and expanding replacement templates.
 * The rest of the Ruby API is in mrblib/, built on these primitives. All
 * positions here are byte offsets; the Ruby side converts character indexes.
 */
#include <mruby.h>
#include <mruby/array.h>
#include <mruby/class.h>
#include <mruby/data.h>
#include <mruby/hash.h>
#include <mruby/internal.h>
#include <mruby/string.h>
#include <mruby/variable.h>
#include <oniguruma.h>
#include <string.h>

#define OPTION_MASK (ONIG_OPTION_IGNORECASE | ONIG_OPTION_EXTEND | ONIG_OPTION_MULTILINE)
/* Regexp.compile (every regexp literal) keeps this many compiled patterns. */
#define COMPILE_CACHE_MAX 256

static void
regexp_free(mrb_state *mrb, void *ptr)
{
  (void)mrb;
  if (ptr) onig_free((OnigRegex)ptr);
}

static const struct mrb_data_type regexp_type = { "Regexp", regexp_free };

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

/* One search runs at a time and its offsets are copied out at once. */
static OnigRegion *region;

#define SYM(name) mrb_intern_lit(mrb, name)

static OnigRegex
regexp_ptr(mrb_state *mrb, mrb_value self)
{
  OnigRegex re = (OnigRegex)mrb_data_get_ptr(mrb, self, &regexp_type);
  if (!re) mrb_raise(mrb, E_TYPE_ERROR, "uninitialized Regexp");
  return re;
}

static struct match *
match_ptr(mrb_state *mrb, mrb_value self)
{
  struct match *m = (struct match *)mrb_data_get_ptr(mrb, self, &match_type);
  if (!m) mrb_raise(mrb, E_TYPE_ERROR, "uninitialized MatchData");
  return m;
}

static OnigOptionType
parse_options(mrb_state *mrb, mrb_value opt)
{
  if (mrb_nil_p(opt) || mrb_false_p(opt)) return ONIG_OPTION_NONE;
  if (mrb_integer_p(opt)) return (OnigOptionType)(mrb_integer(opt) & OPTION_MASK);
  if (!mrb_string_p(opt)) return ONIG_OPTION_IGNORECASE;
  OnigOptionType options = ONIG_OPTION_NONE;
  const char *p = RSTRING_PTR(opt);
  for (mrb_int i = 0; i < RSTRING_LEN(opt); i++) {
    switch (p[i]) {
    case 'i': options |= ONIG_OPTION_IGNORECASE; break;
    case 'x': options |= ONIG_OPTION_EXTEND; break;
    case 'm': options |= ONIG_OPTION_MULTILINE; break;
    default: mrb_raisef(mrb, E_ARGUMENT_ERROR, "unknown regexp option: %v", opt);
    }
  }
  return options;
}

static mrb_value
frozen_copy(mrb_state *mrb, mrb_value str)
{
  if (mrb_frozen_p(mrb_basic_ptr(str))) return str;
  mrb_value copy = mrb_str_dup(mrb, str);
  MRB_SET_FROZEN_FLAG(mrb_basic_ptr(copy));
  return copy;
}

struct names {
  mrb_state *mrb;
  mrb_value pairs;
};

static int
collect_name(const UChar *name, const UChar *name_end, int count, int *groups, OnigRegex re,
             void *arg)
{
  (void)re;
  struct names *n = arg;
  mrb_state *mrb = n->mrb;
  mrb_value numbers = mrb_ary_new_capa(mrb, count);
  for (int i = 0; i < count; i++) mrb_ary_push(mrb, numbers, mrb_int_value(mrb, groups[i]));
  mrb_value pair[2] = { mrb_str_new(mrb, (const char *)name, name_end - name), numbers };
  mrb_ary_push(mrb, n->pairs, mrb_ary_new_from_values(mrb, 2, pair));
  return 0;
}

static mrb_int
first_group(mrb_value pair)
{
  return mrb_integer(RARRAY_PTR(RARRAY_PTR(pair)[1])[0]);
}

/* The pattern's names, in the order they appear in it: {name => [group, ...]}.
 * Oniguruma lists them in its hash table's order. */
static mrb_value
name_table(mrb_state *mrb, OnigRegex re)
{
  mrb_value table = mrb_hash_new(mrb);
  if (onig_number_of_names(re) == 0) return table;
  struct names names = { mrb, mrb_ary_new(mrb) };
  onig_foreach_name(re, collect_name, &names);
  mrb_value *pairs = RARRAY_PTR(names.pairs);
  mrb_int count = RARRAY_LEN(names.pairs);
  for (mrb_int i = 1; i < count; i++) {
    for (mrb_int j = i; j > 0 && first_group(pairs[j - 1]) > first_group(pairs[j]); j--) {
      mrb_value swap = pairs[j];
      pairs[j] = pairs[j - 1];
      pairs[j - 1] = swap;
    }
  }
  for (mrb_int i = 0; i < count; i++) {
    mrb_hash_set(mrb, table, RARRAY_PTR(pairs[i])[0], RARRAY_PTR(pairs[i])[1]);
  }
  return table;
}

/* Regexp#initialize(source_or_regexp, options = nil, _encoding = nil) */
static mrb_value
regexp_initialize(mrb_state *mrb, mrb_value self)
{
  mrb_value source, opt = mrb_nil_value(), encoding = mrb_nil_value();
  mrb_get_args(mrb, "o|oo", &source, &opt, &encoding);
  (void)encoding;
  OnigOptionType options;
  if (mrb_data_p(source) && DATA_TYPE(source) == &regexp_type) {
    options = (OnigOptionType)mrb_integer(mrb_iv_get(mrb, source, SYM("@options")));
    source = mrb_iv_get(mrb, source, SYM("@source"));
  }
  else {
    source = mrb_ensure_string_type(mrb, source);
    options = parse_options(mrb, opt);
  }
  if (DATA_PTR(self)) mrb_raise(mrb, E_TYPE_ERROR, "already initialized Regexp");

  const UChar *pattern = (const UChar *)RSTRING_PTR(source);
  OnigRegex re;
  OnigErrorInfo info;
  int r = onig_new(&re, pattern, pattern + RSTRING_LEN(source), options, ONIG_ENCODING_UTF8,
                   ONIG_SYNTAX_RUBY, &info);
  if (r != ONIG_NORMAL) {
    UChar message[ONIG_MAX_ERROR_MESSAGE_LEN];
    onig_error_code_to_str(message, r, &info);
    mrb_raisef(mrb, E_REGEXP_ERROR, "%s: /%v/", (const char *)message, source);
  }
  mrb_data_init(self, re, &regexp_type);
  mrb_iv_set(mrb, self, SYM("@source"), frozen_copy(mrb, source));
  mrb_iv_set(mrb, self, SYM("@options"), mrb_int_value(mrb, options));
  mrb_iv_set(mrb, self, SYM("@names"), name_table(mrb, re));
  return self;
}

/* Regexp.compile: what every regexp literal calls, each time it runs. The
 * same literal returns the same frozen Regexp instead of recompiling. */
static mrb_value
regexp_s_compile(mrb_state *mrb, mrb_value klass)
{
  const mrb_value *argv;
  mrb_int argc;
  mrb_get_args(mrb, "*", &argv, &argc);
  int cacheable = mrb_class_ptr(klass) == mrb_class_get(mrb, "Regexp") && argc >= 1 &&
                  argc <= 3 && mrb_string_p(argv[0]) &&
                  (argc < 2 || mrb_nil_p(argv[1]) || mrb_string_p(argv[1]));
  mrb_value cache = mrb_nil_value(), key = mrb_nil_value();
  if (cacheable) {
    cache = mrb_iv_get(mrb, klass, SYM("__compiled"));
    if (!mrb_hash_p(cache)) {
      cache = mrb_hash_new(mrb);
      mrb_iv_set(mrb, klass, SYM("__compiled"), cache);
    }
    key = argc >= 2 && !mrb_nil_p(argv[1]) ? mrb_str_dup(mrb, argv[1]) : mrb_str_new(mrb, NULL, 0);
    mrb_str_cat(mrb, key, "/", 1);
    mrb_str_cat_str(mrb, key, argv[0]);
    mrb_value hit = mrb_hash_fetch(mrb, cache, key, mrb_undef_value());
    if (!mrb_undef_p(hit)) return hit;
  }
  mrb_value re = mrb_obj_new(mrb, mrb_class_ptr(klass), argc, argv);
  if (cacheable) {
    MRB_SET_FROZEN_FLAG(mrb_basic_ptr(re));
    if (mrb_hash_size(mrb, cache) >= COMPILE_CACHE_MAX) mrb_hash_clear(mrb, cache);
    mrb_hash_set(mrb, cache, key, re);
  }
  return re;
}

/* Searches `str` from byte `pos`, backwards if asked. Returns the groups'
 * offsets in `region`, or 0 when nothing matched. */
static int
search(mrb_state *mrb, mrb_value self, mrb_value str, mrb_int pos, mrb_bool backward,
       OnigRegion *into)
{
  OnigRegex re = regexp_ptr(mrb, self);
  mrb_int len = RSTRING_LEN(str);
  if (pos < 0 || pos > len) return 0;
  const UChar *s = (const UChar *)RSTRING_PTR(str);
  const UChar *end = s + len;
  int r = onig_search(re, s, end, s + pos, backward ? s : end, into, ONIG_OPTION_NONE);
  if (r == ONIG_MISMATCH) return 0;
  if (r < 0) {
    UChar message[ONIG_MAX_ERROR_MESSAGE_LEN];
    onig_error_code_to_str(message, r);
    mrb_raisef(mrb, E_REGEXP_ERROR, "%s", (const char *)message);
  }
  return 1;
}

static mrb_value
new_match(mrb_state *mrb, mrb_value regexp, mrb_value str)
{
  struct RClass *cls = mrb_class_get(mrb, "MatchData");
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
  mrb_iv_set(mrb, md, SYM("@regexp"), regexp);
  mrb_iv_set(mrb, md, SYM("@string"), frozen_copy(mrb, str));
  return md;
}

/* Regexp#__search(str, byte_pos, backward = false) -> MatchData or nil */
static mrb_value
regexp_search(mrb_state *mrb, mrb_value self)
{
  mrb_value str;
  mrb_int pos;
  mrb_bool backward = FALSE;
  mrb_get_args(mrb, "Si|b", &str, &pos, &backward);
  if (!search(mrb, self, str, pos, backward, region)) return mrb_nil_value();
  return new_match(mrb, self, str);
}

/* Regexp#__match_p(str, byte_pos): a search that builds nothing. */
static mrb_value
regexp_match_p(mrb_state *mrb, mrb_value self)
{
  mrb_value str;
  mrb_int pos;
  mrb_get_args(mrb, "Si", &str, &pos);
  return mrb_bool_value(search(mrb, self, str, pos, FALSE, NULL));
}

static mrb_int
char_count(const char *s, mrb_int bytes)
{
  return mrb_utf8_strlen(s, bytes);
}

static mrb_value
subject(mrb_state *mrb, mrb_value value)
{
  if (mrb_symbol_p(value)) return mrb_sym_str(mrb, mrb_symbol(value));
  return mrb_ensure_string_type(mrb, value);
}

/* Regexp#=~(str): the character index of the match, or nil; sets $~. */
static mrb_value
regexp_match_op(mrb_state *mrb, mrb_value self)
{
  mrb_value str;
  mrb_get_args(mrb, "o", &str);
  mrb_value md = mrb_nil_value();
  mrb_value index = mrb_nil_value();
  if (!mrb_nil_p(str)) {
    str = subject(mrb, str);
    if (search(mrb, self, str, 0, FALSE, region)) {
      index = mrb_int_value(mrb, char_count(RSTRING_PTR(str), region->beg[0]));
      md = new_match(mrb, self, str);
    }
  }
  mrb_gv_set(mrb, SYM("$~"), md);
  return index;
}

static mrb_value
group_string(mrb_state *mrb, mrb_value self, struct match *m, mrb_int n)
{
  if (n < 0 || n >= m->count || m->offsets[2 * n] < 0) return mrb_nil_value();
  mrb_value str = mrb_iv_get(mrb, self, SYM("@string"));
  int b = m->offsets[2 * n], e = m->offsets[2 * n + 1];
  return mrb_str_byte_subseq(mrb, str, b, e - b);
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
  const char *s = RSTRING_PTR(mrb_iv_get(mrb, self, SYM("@string")));
  mrb_int e = mrb_integer(RARRAY_PTR(pair)[1]);
  mrb_int cb = char_count(s, mrb_integer(b));
  mrb_value chars[2] = { mrb_int_value(mrb, cb),
                         mrb_int_value(mrb, cb + char_count(s + mrb_integer(b), e - mrb_integer(b))) };
  return mrb_ary_new_from_values(mrb, 2, chars);
}

static mrb_value
match_pre(mrb_state *mrb, mrb_value self)
{
  struct match *m = match_ptr(mrb, self);
  return mrb_str_byte_subseq(mrb, mrb_iv_get(mrb, self, SYM("@string")), 0, m->offsets[0]);
}

static mrb_value
match_post(mrb_state *mrb, mrb_value self)
{
  struct match *m = match_ptr(mrb, self);
  mrb_value str = mrb_iv_get(mrb, self, SYM("@string"));
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
  mrb_value str = mrb_iv_get(mrb, self, SYM("@string"));
  const char *s = RSTRING_PTR(str);
  mrb_int len = RSTRING_LEN(str);
  return mrb_int_value(mrb, end + (end < len ? mrb_utf8len(s + end, s + len) : 1));
}

/* The last group called `name` that took part in the match, or -1. */
static mrb_int
named_group(mrb_state *mrb, mrb_value self, struct match *m, const char *name, mrb_int len)
{
  mrb_value names = mrb_iv_get(mrb, mrb_iv_get(mrb, self, SYM("@regexp")), SYM("@names"));
  mrb_value groups = mrb_hash_p(names) ? mrb_hash_get(mrb, names, mrb_str_new(mrb, name, len))
                                       : mrb_nil_value();
  if (!mrb_array_p(groups)) {
    mrb_raisef(mrb, E_INDEX_ERROR, "undefined group name reference: %v", mrb_str_new(mrb, name, len));
  }
  for (mrb_int i = RARRAY_LEN(groups) - 1; i >= 0; i--) {
    mrb_int n = mrb_integer(RARRAY_PTR(groups)[i]);
    if (n < m->count && m->offsets[2 * n] >= 0) return n;
  }
  return -1;
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
      mrb_int n = named_group(mrb, self, m, p + 1, close - p - 1);
      if (n >= 0) piece = group_string(mrb, self, m, n);
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
  mrb_int n = named_group(mrb, self, m, name, len);
  return n < 0 ? mrb_nil_value() : group_string(mrb, self, m, n);
}

void
mrb_kobako_regexp_gem_init(mrb_state *mrb)
{
  OnigEncoding encodings[] = { ONIG_ENCODING_UTF8 };
  onig_initialize(encodings, 1);
  if (!region) region = onig_region_new();

  struct RClass *re = mrb_define_class(mrb, "Regexp", mrb->object_class);
  MRB_SET_INSTANCE_TT(re, MRB_TT_CDATA);
  mrb_define_const(mrb, re, "IGNORECASE", mrb_int_value(mrb, ONIG_OPTION_IGNORECASE));
  mrb_define_const(mrb, re, "EXTENDED", mrb_int_value(mrb, ONIG_OPTION_EXTEND));
  mrb_define_const(mrb, re, "MULTILINE", mrb_int_value(mrb, ONIG_OPTION_MULTILINE));
  mrb_define_class_method(mrb, re, "compile", regexp_s_compile, MRB_ARGS_ANY());
  mrb_define_method(mrb, re, "initialize", regexp_initialize, MRB_ARGS_ARG(1, 2));
  mrb_define_method(mrb, re, "=~", regexp_match_op, MRB_ARGS_REQ(1));
  mrb_define_method(mrb, re, "__search", regexp_search, MRB_ARGS_ARG(2, 1));
  mrb_define_method(mrb, re, "__match_p", regexp_match_p, MRB_ARGS_REQ(2));

  struct RClass *md = mrb_define_class(mrb, "MatchData", mrb->object_class);
  MRB_SET_INSTANCE_TT(md, MRB_TT_CDATA);
  mrb_undef_class_method(mrb, md, "new");
  mrb_define_method(mrb, md, "[]", match_aref, MRB_ARGS_ANY());
  mrb_define_method(mrb, md, "size", match_size, MRB_ARGS_NONE());
  mrb_define_method(mrb, md, "length", match_size, MRB_ARGS_NONE());
  mrb_define_method(mrb, md, "byteoffset", match_byteoffset, MRB_ARGS_REQ(1));
  mrb_define_method(mrb, md, "__offset", match_offset, MRB_ARGS_REQ(1));
  mrb_define_method(mrb, md, "pre_match", match_pre, MRB_ARGS_NONE());
  mrb_define_method(mrb, md, "post_match", match_post, MRB_ARGS_NONE());
  mrb_define_method(mrb, md, "__next_pos", match_next_pos, MRB_ARGS_NONE());
  mrb_define_method(mrb, md, "__expand", match_expand, MRB_ARGS_REQ(1));
  mrb_define_method(mrb, md, "__named", match_named, MRB_ARGS_REQ(1));
}

void
mrb_kobako_regexp_gem_final(mrb_state *mrb)
{
  (void)mrb;
}
