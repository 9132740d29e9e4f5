# frozen_string_literal: true

# The kobako glue: evaluation entry points called by the Rust side of the
# guest, the value walker that hands results to the wire encoder, output
# primitives, and the setjmp/longjmp runtime.
MRuby::Gem::Specification.new("kobako") do |spec|
  spec.license = "MIT"
  spec.author = "kobako developers"
  spec.summary = "Glue between mruby and the kobako host"
end
