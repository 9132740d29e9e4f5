/*
 * What Regexp (regexp.c) and MatchData (match_data.c) share.
 */
#ifndef KOBAKO_REGEXP_H
#define KOBAKO_REGEXP_H

#include <mruby.h>
#include <oniguruma.h>

#define SYM(name) mrb_intern_lit(mrb, name)

/* `str` itself if frozen, else a frozen copy (which shares its bytes). */
mrb_value kobako_frozen_copy(mrb_state *mrb, mrb_value str);

/* A MatchData for the groups `region` holds after a search of `str`. */
mrb_value kobako_match_new(mrb_state *mrb, mrb_value regexp, mrb_value str, const OnigRegion *region);

void kobako_match_data_init(mrb_state *mrb);

#endif
