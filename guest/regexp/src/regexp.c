/*
 * Regexp on Oniguruma (Ruby syntax, UTF-8): compiling and searching.
 *
 * C does what must be fast or touches Oniguruma; the rest of the Ruby API is
 * in mrblib/, built on these primitives. All positions here are byte
 * offsets; the Ruby side converts character indexes.
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
#include <oniguruma.h>
#include <string.h>

#include "kobako_regexp.h"

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

/* One search runs at a time and its offsets are copied out at once. */
static OnigRegion *region;

static OnigRegex
regexp_ptr(mrb_state *mrb, mrb_value self)
{
  OnigRegex re = (OnigRegex)mrb_data_get_ptr(mrb, self, &regexp_type);
  if (!re) mrb_raise(mrb, E_TYPE_ERROR, "uninitialized Regexp");
  return re;
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

mrb_value
kobako_frozen_copy(mrb_state *mrb, mrb_value str)
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
    options = (OnigOptionType)mrb_integer(mrb_iv_get(mrb, source, SYM("__options")));
    source = mrb_iv_get(mrb, source, SYM("__source"));
  }
  else {
    source = mrb_ensure_string_type(mrb, source);
    options = parse_options(mrb, opt);
  }
  if (DATA_PTR(self)) mrb_raise(mrb, E_TYPE_ERROR, "already initialized Regexp");

  const UChar *pattern = (const UChar *)RSTRING_PTR(source);
  OnigRegex re;
  OnigErrorInfo info;
  /* \w, \d and \s are ASCII as in CRuby; so is \b, which Oniguruma ties
   * to \w (CRuby's is Unicode). POSIX brackets and \p{} stay Unicode. Not
   * part of the options Regexp#options reports. */
  OnigOptionType ascii = ONIG_OPTION_WORD_IS_ASCII | ONIG_OPTION_DIGIT_IS_ASCII | ONIG_OPTION_SPACE_IS_ASCII;
  int r = onig_new(&re, pattern, pattern + RSTRING_LEN(source), options | ascii, ONIG_ENCODING_UTF8,
                   ONIG_SYNTAX_RUBY, &info);
  if (r != ONIG_NORMAL) {
    UChar message[ONIG_MAX_ERROR_MESSAGE_LEN];
    onig_error_code_to_str(message, r, &info);
    mrb_raisef(mrb, E_REGEXP_ERROR, "invalid regular expression; %s: /%v/", (const char *)message, source);
  }
  mrb_data_init(self, re, &regexp_type);
  mrb_iv_set(mrb, self, SYM("__source"), kobako_frozen_copy(mrb, source));
  mrb_iv_set(mrb, self, SYM("__options"), mrb_int_value(mrb, options));
  mrb_iv_set(mrb, self, SYM("__names"), name_table(mrb, re));
  return self;
}

/* Readers of the state initialize keeps in ivars without an '@': Ruby code
 * can read it only through these, and never write it, so the C glue can
 * trust its types. */
static mrb_value
regexp_source(mrb_state *mrb, mrb_value self)
{
  return mrb_iv_get(mrb, self, SYM("__source"));
}

static mrb_value
regexp_options(mrb_state *mrb, mrb_value self)
{
  return mrb_iv_get(mrb, self, SYM("__options"));
}

static mrb_value
regexp_names_table(mrb_state *mrb, mrb_value self)
{
  return mrb_iv_get(mrb, self, SYM("__names"));
}

/* Regexp.compile: what every regexp literal calls, each time it runs. The
 * same literal returns the same frozen Regexp instead of recompiling. */
static mrb_value
regexp_s_compile(mrb_state *mrb, mrb_value klass)
{
  const mrb_value *argv;
  mrb_int argc;
  mrb_get_args(mrb, "*", &argv, &argc);
  int cacheable = mrb_class_ptr(klass) == mrb_class_get_id(mrb, MRB_SYM(Regexp)) && argc >= 1 &&
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

/* Regexp#__search(str, byte_pos, backward = false) -> MatchData or nil */
static mrb_value
regexp_search(mrb_state *mrb, mrb_value self)
{
  mrb_value str;
  mrb_int pos;
  mrb_bool backward = FALSE;
  mrb_get_args(mrb, "Si|b", &str, &pos, &backward);
  if (!search(mrb, self, str, pos, backward, region)) return mrb_nil_value();
  return kobako_match_new(mrb, self, str, region);
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
      index = mrb_int_value(mrb, mrb_utf8_strlen(RSTRING_PTR(str), region->beg[0]));
      md = kobako_match_new(mrb, self, str, region);
    }
  }
  mrb_gv_set(mrb, SYM("$~"), md);
  return index;
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
  mrb_define_method(mrb, re, "source", regexp_source, MRB_ARGS_NONE());
  mrb_define_method(mrb, re, "options", regexp_options, MRB_ARGS_NONE());
  mrb_define_method(mrb, re, "__names", regexp_names_table, MRB_ARGS_NONE());
  mrb_define_method(mrb, re, "=~", regexp_match_op, MRB_ARGS_REQ(1));
  mrb_define_method(mrb, re, "__search", regexp_search, MRB_ARGS_ARG(2, 1));
  mrb_define_method(mrb, re, "__match_p", regexp_match_p, MRB_ARGS_REQ(2));

  kobako_match_data_init(mrb);
}

void
mrb_kobako_regexp_gem_final(mrb_state *mrb)
{
  (void)mrb;
}
