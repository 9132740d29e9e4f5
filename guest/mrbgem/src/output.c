/*
 * The guest's only way out: bytes written to fd 1 and 2, which the host
 * captures per invocation (WASI fd_write).
 */
#include <mruby.h>
#include <mruby/string.h>
#include <unistd.h>

static mrb_value
kobako_write(mrb_state *mrb, mrb_value self)
{
  mrb_int fd;
  mrb_value str;
  mrb_get_args(mrb, "iS", &fd, &str);
  if (fd != 1 && fd != 2) {
    mrb_raisef(mrb, E_ARGUMENT_ERROR, "fd %d is not writable in the sandbox", (int)fd);
  }
  const char *ptr = RSTRING_PTR(str);
  mrb_int left = RSTRING_LEN(str);
  while (left > 0) {
    ssize_t n = write((int)fd, ptr, (size_t)left);
    if (n <= 0) break;
    ptr += n;
    left -= n;
  }
  return mrb_fixnum_value(RSTRING_LEN(str));
}

void
kobako_output_init(mrb_state *mrb)
{
  mrb_define_module_function(mrb, mrb->kernel_module, "__kobako_write", kobako_write, MRB_ARGS_REQ(2));
}
