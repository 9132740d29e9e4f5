# frozen_string_literal: true

# What an installed kobako gem must do, run from outside this repository by
# test/integration/gem_test.rb and by bin/check-aarch64 (under qemu): eval, a
# service call returning a Handle, a timeout, Kobako.compile + preload(binary:),
# and the extension loaded from the installed gem. Prints what it got and
# fails unless that is what it expected.
require "kobako"

Person = Struct.new(:name) { def greet = "hi #{name}" }
sandbox = Kobako::Sandbox.new(timeout: 0.2)
sandbox.define(:People).bind(:Find, ->(name) { Person.new(name) })
results = [sandbox.eval("1 + 2"), sandbox.eval('People::Find.call("amy").greet')]
begin
  sandbox.eval("loop {}")
rescue Kobako::TimeoutError => e
  results << e.cap
end
bytecode = Kobako.compile("Triple = ->(x) { x * 3 }", name: "triple.rb")
results << Kobako::Sandbox.new.preload(binary: bytecode).run(:Triple, 7)
results << $LOADED_FEATURES.grep(%r{/kobako\.so\z}).first.include?("/gems/kobako-")
expected = [3, "hi amy", :timeout, 21, true]
puts results.inspect
abort "expected #{expected.inspect}" unless results == expected
