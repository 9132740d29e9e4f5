/*
 * The kobako gem's entry point: mruby calls it when a state opens, before
 * the gem's mrblib/ runs.
 */
#include <mruby.h>

void kobako_output_init(mrb_state *mrb);
void kobako_services_init(mrb_state *mrb);
void kobako_encoding_init(mrb_state *mrb);
void kobako_json_init(mrb_state *mrb);

void
mrb_kobako_gem_init(mrb_state *mrb)
{
  kobako_output_init(mrb);
  kobako_services_init(mrb);
  kobako_encoding_init(mrb);
  kobako_json_init(mrb);
}

void
mrb_kobako_gem_final(mrb_state *mrb)
{
  (void)mrb;
}
