# frozen_string_literal: true

# Regexp for the guest: Ruby-syntax regular expressions on Oniguruma, whose
# library guest/build compiles from the onig_sys registry package (UTF-8 only).
MRuby::Gem::Specification.new("kobako-regexp") do |spec|
  spec.license = "MIT"
  spec.author = "kobako developers"
  spec.summary = "Regexp, MatchData and String's pattern methods on Oniguruma"
  spec.cc.include_paths << ENV.fetch("KOBAKO_ONIG_INCLUDE")
  spec.add_dependency "mruby-string-ext", core: "mruby-string-ext"
  spec.add_dependency "mruby-symbol-ext", core: "mruby-symbol-ext"
end
