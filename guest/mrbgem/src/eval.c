/*
 * Evaluation entry points called by the Rust side of the guest.
 */
#include <mruby.h>
#include <mruby/array.h>
#include <mruby/compile.h>
#include <mruby/error.h>
#include <mruby/string.h>
#include <string.h>

#include "kobako.h"

#define KOBAKO_MAX_BACKTRACE 64

mrb_state *
kobako_open(void)
{
  return mrb_open();
}

void
kobako_close(mrb_state *mrb)
{
  mrb_close(mrb);
}

struct eval_job {
  const char *source;
  size_t len;
  void *sink;
};

static mrb_value
eval_body(mrb_state *mrb, void *data)
{
  struct eval_job *job = data;
  mrbc_context *cxt = mrbc_context_new(mrb);
  cxt->capture_errors = TRUE;
  mrbc_filename(mrb, cxt, "(eval)");
  mrb_value result = mrb_load_nstring_cxt(mrb, job->source, job->len, cxt);
  mrbc_context_free(mrb, cxt);
  if (mrb->exc) {
    /* mrb_load_* reports parse and uncaught runtime errors through
     * mrb->exc rather than by raising. */
    mrb_value exc = mrb_obj_value(mrb->exc);
    mrb->exc = NULL;
    mrb_exc_raise(mrb, exc);
  }
  kobako_walk_value(mrb, result, job->sink);
  return mrb_nil_value();
}

static void
put_string(void *sink, mrb_value str, void (*put)(void *, const char *, size_t))
{
  put(sink, RSTRING_PTR(str), (size_t)RSTRING_LEN(str));
}

struct report_job {
  mrb_value exc;
  void *sink;
};

static mrb_value
report_body(mrb_state *mrb, void *data)
{
  struct report_job *job = data;
  const char *klass = mrb_obj_classname(mrb, job->exc);
  mrb_value message = mrb_obj_as_string(mrb, mrb_funcall(mrb, job->exc, "message", 0));
  kobako_put_error(job->sink, klass, strlen(klass), RSTRING_PTR(message), (size_t)RSTRING_LEN(message));
  mrb_value backtrace = mrb_funcall(mrb, job->exc, "backtrace", 0);
  if (mrb_array_p(backtrace)) {
    /* A runaway recursion has thousands of identical frames; the innermost
     * ones are the useful part. */
    for (mrb_int i = 0; i < RARRAY_LEN(backtrace) && i < KOBAKO_MAX_BACKTRACE; i++) {
      mrb_value line = RARRAY_PTR(backtrace)[i];
      if (mrb_string_p(line)) put_string(job->sink, line, kobako_put_backtrace_line);
    }
  }
  return mrb_nil_value();
}

/* Reports `exc` as the invocation's error. Reading its message runs Ruby
 * code that may itself raise; then the class name alone is reported. */
static void
report_error(mrb_state *mrb, mrb_value exc, void *sink)
{
  struct report_job job = { exc, sink };
  mrb_bool failed = FALSE;
  mrb_protect_error(mrb, report_body, &job, &failed);
  if (failed) {
    mrb->exc = NULL;
    const char *klass = mrb_obj_classname(mrb, exc);
    static const char note[] = "(the exception's message could not be read)";
    kobako_put_error(sink, klass, strlen(klass), note, sizeof(note) - 1);
  }
}

/* Evaluates `source` and walks its value, or its uncaught exception, into
 * `sink`. Returns 0 for a value, 1 for an error. */
int
kobako_eval_source(mrb_state *mrb, const char *source, size_t len, void *sink)
{
  struct eval_job job = { source, len, sink };
  mrb_bool failed = FALSE;
  int ai = mrb_gc_arena_save(mrb);
  mrb_value exc = mrb_protect_error(mrb, eval_body, &job, &failed);
  if (failed) {
    mrb->exc = NULL;
    report_error(mrb, exc, sink);
  }
  mrb_gc_arena_restore(mrb, ai);
  return failed ? 1 : 0;
}
