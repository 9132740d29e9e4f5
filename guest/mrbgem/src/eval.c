/*
 * Evaluation entry points called by the Rust side of the guest.
 */
#include <mruby.h>
#include <mruby/array.h>
#include <mruby/compile.h>
#include <mruby/error.h>
#include <mruby/dump.h>
#include <mruby/internal.h>
#include <mruby/hash.h>
#include <mruby/proc.h>
#include <mruby/string.h>
#include <mruby/variable.h>
#include <string.h>

#include "kobako.h"

#define KOBAKO_MAX_BACKTRACE 64

static mrb_value boot_body(mrb_state *mrb, void *data);
static int protected(mrb_state *mrb, mrb_protect_error_func *body, void *job, void *sink);

/* A booted interpreter: the service glue's classes resolved, and the
 * constants it defines remembered (what a missing entrypoint's error leaves
 * out of the list of what the snippets defined), once, in the booted state
 * every invocation starts from. NULL when either fails: the host then has
 * no interpreter to run, and says so. */
mrb_state *
kobako_open(void)
{
  mrb_state *mrb = mrb_open();
  if (mrb != NULL && protected(mrb, boot_body, NULL, NULL) != 0) {
    mrb_close(mrb);
    return NULL;
  }
  return mrb;
}

void
kobako_close(mrb_state *mrb)
{
  mrb_close(mrb);
}

/* Protected call of a job; on a raise, reports it into `sink` (if there is
 * one: the boot has none). Returns 0 on success, 1 when it raised. */
static int
protected(mrb_state *mrb, mrb_protect_error_func *body, void *job, void *sink)
{
  mrb_bool failed = FALSE;
  int ai = mrb_gc_arena_save(mrb);
  mrb_value exc = mrb_protect_error(mrb, body, job, &failed);
  if (failed) {
    mrb->exc = NULL;
    if (sink != NULL) kobako_report_error(mrb, exc, sink);
  }
  mrb_gc_arena_restore(mrb, ai);
  return failed ? 1 : 0;
}

static void
raise_pending(mrb_state *mrb)
{
  if (mrb->exc) {
    mrb_value exc = mrb_obj_value(mrb->exc);
    mrb->exc = NULL;
    mrb_exc_raise(mrb, exc);
  }
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
  /* mrb_load_* reports parse and uncaught runtime errors through mrb->exc
   * rather than by raising. */
  raise_pending(mrb);
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

/* A service failure the glue kept on `exc` (see KOBAKO_FAILURE_IVAR): read
 * without running any Ruby code, so the guest cannot hide it. */
static void
report_origin(mrb_state *mrb, mrb_value exc, void *sink)
{
  if (!mrb_obj_ptr(exc)) return;
  mrb_value failure = mrb_iv_get(mrb, exc, mrb_intern_lit(mrb, KOBAKO_FAILURE_IVAR));
  if (mrb_string_p(failure)) {
    kobako_put_origin(sink, KOBAKO_ORIGIN_SERVICE, RSTRING_PTR(failure), (size_t)RSTRING_LEN(failure));
  }
}

static mrb_value
report_body(mrb_state *mrb, void *data)
{
  struct report_job *job = data;
  const char *klass = mrb_obj_classname(mrb, job->exc);
  mrb_value message = mrb_obj_as_string(mrb, mrb_funcall(mrb, job->exc, "message", 0));
  kobako_put_error(job->sink, klass, strlen(klass), RSTRING_PTR(message), (size_t)RSTRING_LEN(message));
  report_origin(mrb, job->exc, job->sink);
  mrb_value details = mrb_iv_get(mrb, job->exc, mrb_intern_lit(mrb, "@__kobako_details"));
  if (mrb_hash_p(details)) {
    kobako_put_details(job->sink);
    kobako_walk_value(mrb, details, job->sink);
  }
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
void
kobako_report_error(mrb_state *mrb, mrb_value exc, void *sink)
{
  struct report_job job = { exc, sink };
  mrb_bool failed = FALSE;
  mrb_protect_error(mrb, report_body, &job, &failed);
  if (failed) {
    mrb->exc = NULL;
    const char *klass = mrb_obj_classname(mrb, exc);
    static const char note[] = "(the exception's message could not be read)";
    kobako_put_error(sink, klass, strlen(klass), note, sizeof(note) - 1);
    report_origin(mrb, exc, sink);
  }
}

/* Evaluates `source` and walks its value, or its uncaught exception, into
 * `sink`. Returns 0 for a value, 1 for an error. */
int
kobako_eval_source(mrb_state *mrb, const char *source, size_t len, void *sink)
{
  struct eval_job job = { source, len, sink };
  return protected(mrb, eval_body, &job, sink);
}

/* ---- preloaded snippets ---- */

struct snippet_job {
  const uint8_t *bytes;
  size_t len;
};

static mrb_value
snippet_body(mrb_state *mrb, void *data)
{
  struct snippet_job *job = data;
  mrb_load_irep_buf(mrb, job->bytes, job->len);
  raise_pending(mrb);
  return mrb_nil_value();
}

/* mruby's loader says only "irep load error" for bytecode it cannot read;
 * say what is wrong with the header, which covers the usual mistakes. */
static const char *
bytecode_problem(const uint8_t *bytes, size_t len)
{
  if (len < sizeof(struct rite_binary_header)) return "truncated: shorter than a RITE header";
  const struct rite_binary_header *header = (const struct rite_binary_header *)bytes;
  if (memcmp(header->binary_ident, RITE_BINARY_IDENT, sizeof(header->binary_ident)) != 0) {
    return "not mruby bytecode (no RITE header)";
  }
  if (memcmp(header->major_version, RITE_BINARY_MAJOR_VER, sizeof(header->major_version)) != 0) {
    return "compiled by another mruby version (this guest runs mruby 3.2 bytecode)";
  }
  uint32_t size = ((uint32_t)header->binary_size[0] << 24) | ((uint32_t)header->binary_size[1] << 16) |
                  ((uint32_t)header->binary_size[2] << 8) | (uint32_t)header->binary_size[3];
  if (size > len) return "truncated: shorter than its header says";
  return NULL;
}

static void
report_bytecode_error(void *sink, const char *problem)
{
  static const char klass[] = "Kobako::BytecodeError";
  kobako_put_error(sink, klass, sizeof(klass) - 1, problem, strlen(problem));
  kobako_put_origin(sink, KOBAKO_ORIGIN_BYTECODE, NULL, 0);
}

/* Loads and runs one preloaded snippet. Returns 0, or 1 with the error in
 * `sink`. */
int
kobako_load_snippet(mrb_state *mrb, const uint8_t *bytes, size_t len, void *sink)
{
  const char *problem = bytecode_problem(bytes, len);
  if (problem) {
    report_bytecode_error(sink, problem);
    return 1;
  }
  struct snippet_job job = { bytes, len };
  mrb_bool failed = FALSE;
  int ai = mrb_gc_arena_save(mrb);
  mrb_value exc = mrb_protect_error(mrb, snippet_body, &job, &failed);
  mrb_gc_arena_restore(mrb, ai);
  if (!failed) return 0;
  mrb->exc = NULL;
  if (mrb_obj_class(mrb, exc) == E_SCRIPT_ERROR) {
    mrb_value message = mrb_funcall(mrb, exc, "message", 0);
    if (mrb_string_p(message) && strcmp(RSTRING_CSTR(mrb, message), "irep load error") == 0) {
      report_bytecode_error(sink, "invalid bytecode: mruby could not load it");
      return 1;
    }
  }
  kobako_report_error(mrb, exc, sink);
  return 1;
}

static mrb_value
boot_body(mrb_state *mrb, void *data)
{
  (void)data;
  kobako_services_boot(mrb);
  mrb_funcall(mrb, mrb_top_self(mrb), "__kobako_mark_constants", 0);
  return mrb_nil_value();
}

/* ---- run(:Target, *args, **kwargs) ---- */

struct run_job {
  const char *name;
  size_t name_len;
  const struct kobako_tape_item *items;
  size_t count;
  void *sink;
};

static mrb_value
run_body(mrb_state *mrb, void *data)
{
  struct run_job *job = data;
  size_t pos = 0;
  mrb_value args = kobako_build_value(mrb, job->items, job->count, &pos);
  mrb_value kwargs = kobako_build_value(mrb, job->items, job->count, &pos);
  mrb_value name = mrb_str_new(mrb, job->name, job->name_len);
  mrb_value result = mrb_funcall(mrb, mrb_top_self(mrb), "__kobako_run", 3, name, args, kwargs);
  raise_pending(mrb);
  kobako_walk_value(mrb, result, job->sink);
  return mrb_nil_value();
}

/* Calls Target.call(*args, **kwargs); `items` holds the args Array then the
 * kwargs Hash. Returns 0 with the value in `sink`, or 1 with the error. */
int
kobako_run(mrb_state *mrb, const char *name, size_t name_len,
           const struct kobako_tape_item *items, size_t count, void *sink)
{
  struct run_job job = { name, name_len, items, count, sink };
  return protected(mrb, run_body, &job, sink);
}

/* ---- compile ---- */

struct compile_job {
  const char *source;
  size_t len;
  const char *name;
  int debug;
  uint8_t *bin;
  size_t bin_len;
};

static mrb_value
compile_body(mrb_state *mrb, void *data)
{
  struct compile_job *job = data;
  mrbc_context *cxt = mrbc_context_new(mrb);
  cxt->capture_errors = TRUE;
  cxt->no_exec = TRUE;
  mrbc_filename(mrb, cxt, job->name);
  mrb_value proc = mrb_load_nstring_cxt(mrb, job->source, job->len, cxt);
  mrbc_context_free(mrb, cxt);
  raise_pending(mrb);
  if (!mrb_proc_p(proc)) mrb_raise(mrb, E_SCRIPT_ERROR, "compilation produced no code");
  int status = mrb_dump_irep(mrb, mrb_proc_ptr(proc)->body.irep,
                             job->debug ? MRB_DUMP_DEBUG_INFO : 0, &job->bin, &job->bin_len);
  if (status != MRB_DUMP_OK) mrb_raise(mrb, E_SCRIPT_ERROR, "could not write bytecode");
  return mrb_nil_value();
}

/* Compiles `source` (file name `name`, NUL-terminated) to RITE bytecode.
 * Returns 0 with *bin (free with mrb_free) and *bin_len set, or 1 with the
 * error (e.g. a SyntaxError) in `sink`. */
int
kobako_compile(mrb_state *mrb, const char *source, size_t len, const char *name, int debug,
               void *sink, uint8_t **bin, size_t *bin_len)
{
  struct compile_job job = { source, len, name, debug, NULL, 0 };
  int failed = protected(mrb, compile_body, &job, sink);
  *bin = job.bin;
  *bin_len = job.bin_len;
  return failed;
}

void
kobako_free(mrb_state *mrb, void *ptr)
{
  mrb_free(mrb, ptr);
}

/* ---- services ---- */

struct services_job {
  const struct kobako_tape_item *items;
  size_t count;
};

static mrb_value
services_body(mrb_state *mrb, void *data)
{
  struct services_job *job = data;
  size_t pos = 0;
  mrb_value namespaces = kobako_build_value(mrb, job->items, job->count, &pos);
  mrb_funcall(mrb, mrb_obj_value(mrb_module_get(mrb, "Kobako")), "__define_services", 1, namespaces);
  return mrb_nil_value();
}

/* Defines Ns::Member for the bound services ([[ns, [member, ...]], ...]). */
int
kobako_define_services(mrb_state *mrb, const struct kobako_tape_item *items, size_t count, void *sink)
{
  struct services_job job = { items, count };
  return protected(mrb, services_body, &job, sink);
}
