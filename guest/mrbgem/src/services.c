/*
 * Kobako::Proxy#method_missing: every method a service proxy or Handle lacks
 * is a call to the host. The request is walked into a Rust sink, Rust talks
 * to the host, and the answer comes back as a tape (a value) or an error.
 */
#include <mruby.h>
#include <mruby/array.h>
#include <mruby/class.h>
#include <mruby/data.h>
#include <mruby/hash.h>
#include <mruby/presym.h>
#include <mruby/string.h>
#include <mruby/variable.h>
#include <string.h>

#include "kobako.h"

/* Implemented in Rust (guest/src/service.rs): a fresh sink for the call,
 * owned by Rust and reused by the next call, which writes the call's
 * MessagePack as it is walked: the target, the method and the positional
 * count, the arguments (kobako_walk_nested), the keyword count, and each
 * keyword's name and value. */
void *kobako_call_begin(void);
void kobako_call_member(void *call, const char *ns, size_t ns_len, const char *member,
                        size_t member_len);
void kobako_call_handle(void *call, uint64_t id);
void kobako_call_method(void *call, const char *name, size_t len, size_t argc);
void kobako_call_kwargs(void *call, size_t count);
void kobako_call_keyword(void *call, const char *name, size_t len);
/* Sends the walked call; returns a status and fills the out-parameters. */
int kobako_call_send(void *call, const struct kobako_tape_item **items, size_t *count,
                     const char **klass, size_t *klass_len, const char **message,
                     size_t *message_len, const char **failure, size_t *failure_len);

enum { CALL_VALUE = 0, CALL_ERROR = 1, CALL_DISCONNECTED = 2, CALL_TYPE_ERROR = 3 };

/* The classes a call needs, looked up once when the interpreter boots
 * (kobako_services_boot) rather than by name on every call, and kept alive
 * as GC roots: a guest that removes or replaces the constants changes
 * neither what the glue builds nor what it recognizes. */
static struct RClass *handle_class, *service_class, *service_error_class, *disconnected_class;

static struct RClass *
kobako_class(mrb_state *mrb, const char *name)
{
  return mrb_class_get_under(mrb, mrb_module_get(mrb, "Kobako"), name);
}

static struct RClass *
kept(mrb_state *mrb, struct RClass *cls)
{
  mrb_gc_register(mrb, mrb_obj_value(cls));
  return cls;
}

void
kobako_services_boot(mrb_state *mrb)
{
  handle_class = kept(mrb, kobako_class(mrb, "Handle"));
  service_class = kept(mrb, kobako_class(mrb, "Service"));
  service_error_class = kept(mrb, kobako_class(mrb, "ServiceError"));
  disconnected_class = kept(mrb, mrb_class_get_under(mrb, service_error_class, "Disconnected"));
}

/* A Handle's data pointer is its id; nothing to free. */
static const struct mrb_data_type handle_type = { "Kobako::Handle", NULL };

mrb_value
kobako_handle_new(mrb_state *mrb, uint64_t id)
{
  if (id == 0 || id > UINTPTR_MAX) {
    mrb_raise(mrb, E_ARGUMENT_ERROR, "kobako: the host sent a Handle id out of range");
  }
  struct RData *data = mrb_data_object_alloc(mrb, handle_class,
                                             (void *)(uintptr_t)id, &handle_type);
  return mrb_obj_value(data);
}

int
kobako_handle_id(mrb_value value, uint64_t *id)
{
  if (!mrb_data_p(value) || DATA_TYPE(value) != &handle_type || DATA_PTR(value) == NULL) {
    return 0;
  }
  *id = (uint64_t)(uintptr_t)DATA_PTR(value);
  return 1;
}

static mrb_noreturn void
malformed(mrb_state *mrb)
{
  mrb_raise(mrb, E_TYPE_ERROR, "malformed service call");
}

/* Starts the call on what the proxy stands for: a Handle, by its id; a
 * service proxy, by the [Ns, Member] names the glue gave it. */
static void
begin_call(mrb_state *mrb, void *call, mrb_value proxy)
{
  uint64_t id;
  if (kobako_handle_id(proxy, &id)) {
    kobako_call_handle(call, id);
    return;
  }
  if (!mrb_obj_is_kind_of(mrb, proxy, service_class)) {
    mrb_raise(mrb, E_TYPE_ERROR, "not a Kobako service or Handle");
  }
  /* A preset symbol (services.rb sets it), so no lookup by name. */
  mrb_value names = mrb_iv_get(mrb, proxy, MRB_IVSYM(__kobako_target));
  if (!mrb_array_p(names) || RARRAY_LEN(names) != 2) malformed(mrb);
  mrb_value ns = RARRAY_PTR(names)[0], member = RARRAY_PTR(names)[1];
  if (!mrb_string_p(ns) || !mrb_string_p(member)) malformed(mrb);
  kobako_call_member(call, RSTRING_PTR(ns), (size_t)RSTRING_LEN(ns), RSTRING_PTR(member),
                     (size_t)RSTRING_LEN(member));
}

/* One keyword argument: its name (a Symbol's, or a String's), then its
 * value, at the depth it has inside the request. */
static int
walk_keyword(mrb_state *mrb, mrb_value key, mrb_value value, void *call)
{
  mrb_int len;
  const char *name;
  if (mrb_symbol_p(key)) {
    name = mrb_sym_name_len(mrb, mrb_symbol(key), &len);
  }
  else if (mrb_string_p(key)) {
    name = RSTRING_PTR(key);
    len = RSTRING_LEN(key);
  }
  else {
    malformed(mrb);
  }
  kobako_call_keyword(call, name, (size_t)len);
  kobako_walk_nested(mrb, value, call, 2);
  return 0;
}

struct failure {
  const char *klass, *message, *sealed;
  size_t klass_len, message_len, sealed_len;
};

static mrb_value
service_error(mrb_state *mrb, struct RClass *cls, const struct failure *f)
{
  mrb_value exc = mrb_exc_new(mrb, cls, f->message, (mrb_int)f->message_len);
  mrb_value details = mrb_hash_new(mrb);
  mrb_hash_set(mrb, details, mrb_str_new_lit(mrb, "klass"), mrb_str_new(mrb, f->klass, f->klass_len));
  mrb_iv_set(mrb, exc, mrb_intern_lit(mrb, "@__kobako_details"), details);
  mrb_iv_set(mrb, exc, mrb_intern_lit(mrb, KOBAKO_FAILURE_IVAR), mrb_str_new(mrb, f->sealed, (mrb_int)f->sealed_len));
  return exc;
}

/* Written in C rather than Ruby: the Ruby method_missing ran a frame, made
 * the name's String and an Array to keep a trailing Hash apart from the
 * keywords, looked up a constant and called into C again, and the request
 * was built as an Array before its walk (with the guest's buffers kept
 * between calls, the guest's share of a call went from about 15,700 to
 * 9,300 instructions). Here the keywords arrive apart (':'), a trailing
 * positional Hash stays positional, and the request is written as
 * MessagePack while it is walked, nothing built first. */
static mrb_value
proxy_method_missing(mrb_state *mrb, mrb_value self)
{
  mrb_sym name;
  const mrb_value *argv;
  mrb_int argc;
  mrb_value kwargs = mrb_nil_value();
  mrb_value block = mrb_nil_value();
  const mrb_kwargs keywords = { 0, 0, NULL, NULL, &kwargs };
  mrb_get_args(mrb, "n*:&", &name, &argv, &argc, &keywords, &block);
  if (!mrb_nil_p(block)) {
    mrb_raise(mrb, E_ARGUMENT_ERROR, "blocks cannot be passed to the host");
  }

  /* The nesting limit counts as if the Array [target, "name", [*args],
   * {**kwargs}] were walked: arguments and keyword values at depth 2. No
   * Ruby code runs during the walk (for a value with no wire form it only
   * looks up the class's name), so nothing can change argv or the hash
   * under it. */
  void *call = kobako_call_begin();
  begin_call(mrb, call, self);
  /* The sink copies the name at once (a short symbol's name can live in a
   * buffer the next symbol lookup reuses); not UTF-8, the call is refused. */
  mrb_int name_len;
  const char *name_text = mrb_sym_name_len(mrb, name, &name_len);
  kobako_call_method(call, name_text, (size_t)name_len, (size_t)argc);
  for (mrb_int i = 0; i < argc; i++) {
    kobako_walk_nested(mrb, argv[i], call, 2);
  }
  if (mrb_hash_p(kwargs)) {
    kobako_call_kwargs(call, (size_t)mrb_hash_size(mrb, kwargs));
    mrb_hash_foreach(mrb, mrb_hash_ptr(kwargs), walk_keyword, call);
  }
  else {
    kobako_call_kwargs(call, 0);
  }

  const struct kobako_tape_item *items = NULL;
  size_t count = 0;
  struct failure f = { NULL, NULL, NULL, 0, 0, 0 };
  int status = kobako_call_send(call, &items, &count, &f.klass, &f.klass_len, &f.message, &f.message_len,
                                &f.sealed, &f.sealed_len);

  /* The answer stays valid in Rust until the next call, so a raise while
   * building it leaks nothing. */
  mrb_value result = mrb_nil_value();
  mrb_value exc = mrb_nil_value();
  switch (status) {
  case CALL_VALUE: {
    size_t pos = 0;
    result = kobako_build_value(mrb, items, count, &pos);
    break;
  }
  case CALL_DISCONNECTED:
    exc = service_error(mrb, disconnected_class, &f);
    break;
  case CALL_TYPE_ERROR:
    exc = mrb_exc_new(mrb, E_TYPE_ERROR, f.message, (mrb_int)f.message_len);
    break;
  default:
    exc = service_error(mrb, service_error_class, &f);
    break;
  }
  if (!mrb_nil_p(exc)) mrb_exc_raise(mrb, exc);
  return result;
}

void
kobako_services_init(mrb_state *mrb)
{
  struct RClass *kobako = mrb_define_module(mrb, "Kobako");
  struct RClass *proxy = mrb_define_class_under(mrb, kobako, "Proxy", mrb_class_get(mrb, "BasicObject"));
  mrb_define_method(mrb, proxy, "method_missing", proxy_method_missing, MRB_ARGS_ANY());

  /* Only kobako_handle_new makes Handles: no new, no allocate. */
  struct RClass *handle = mrb_define_class_under(mrb, kobako, "Handle", proxy);
  MRB_SET_INSTANCE_TT(handle, MRB_TT_CDATA);
  mrb_undef_class_method(mrb, handle, "new");
  mrb_undef_class_method(mrb, handle, "allocate");
}
