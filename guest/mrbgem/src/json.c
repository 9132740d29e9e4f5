/*
 * JSON.__parse: the Rust side (guest/src/json.rs) reads the text into a
 * tape, this builds the value. JSON.parse (mrblib/json.rb) checks the
 * arguments and options first.
 */
#include <mruby.h>
#include <mruby/class.h>
#include <mruby/string.h>

#include "kobako.h"

enum { JSON_PARSED = 0, JSON_PARSER_ERROR = 1, JSON_NESTING_ERROR = 2 };

int kobako_json_parse(const char *text, size_t len, int symbolize_names,
                      const struct kobako_tape_item **items, size_t *count,
                      const char **message, size_t *message_len);
void kobako_json_release(void);

static mrb_value
json_parse(mrb_state *mrb, mrb_value self)
{
  mrb_value source;
  mrb_bool symbolize_names;
  mrb_get_args(mrb, "Sb", &source, &symbolize_names);

  const struct kobako_tape_item *items = NULL;
  size_t count = 0;
  const char *message = NULL;
  size_t message_len = 0;
  int status = kobako_json_parse(RSTRING_PTR(source), (size_t)RSTRING_LEN(source), symbolize_names,
                                 &items, &count, &message, &message_len);
  if (status != JSON_PARSED) {
    const char *klass = status == JSON_NESTING_ERROR ? "NestingError" : "ParserError";
    struct RClass *json = mrb_module_get(mrb, "JSON");
    mrb_value exc = mrb_exc_new(mrb, mrb_class_get_under(mrb, json, klass), message, (mrb_int)message_len);
    kobako_json_release();
    mrb_exc_raise(mrb, exc);
  }
  size_t pos = 0;
  mrb_value value = kobako_build_value(mrb, items, count, &pos);
  kobako_json_release();
  return value;
}

void
kobako_json_init(mrb_state *mrb)
{
  struct RClass *json = mrb_define_module(mrb, "JSON");
  mrb_define_module_function(mrb, json, "__parse", json_parse, MRB_ARGS_REQ(2));
}
