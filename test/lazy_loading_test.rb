# frozen_string_literal: true

require_relative "test_helper"
require "open3"
require "rbconfig"

# Cold start pays only for what the first eval uses: the reflection floor
# (which asks RubyGems where Ruby's own files are) and the error wording
# load when a guest first calls out or an error is described.
class LazyLoadingTest < Minitest::Test
  LIB = File.expand_path("../lib", __dir__)

  def loaded_after(code)
    script = "require 'kobako'; #{code}; print $LOADED_FEATURES.grep(%r{kobako/(reflection_floor|builtins|error_text)}).map { File.basename(_1, '.rb') }.sort.join(',')"
    out, err, status = Open3.capture3(RbConfig.ruby, "-I#{LIB}", "-e", script)
    assert_predicate status, :success?, err
    out
  end

  def test_an_eval_without_services_loads_neither_the_floor_nor_the_error_wording
    assert_equal "", loaded_after("s = Kobako::Sandbox.new; s.define(:N).bind(:F, -> { 1 }); s.eval('nil'); s.eval('2')")
  end

  def test_the_first_call_out_loads_the_floor
    assert_equal "builtins,reflection_floor", loaded_after("s = Kobako::Sandbox.new; s.define(:N).bind(:F, -> { 1 }); s.eval('N::F.call')")
  end

  # Threads whose first service calls come at once, while the floor loads
  # (the extension's direct path waits for nothing of it: it leaves calls
  # to the dispatcher until the floor is loaded).
  def test_first_calls_from_several_threads_at_once
    script = <<~RUBY
      require "kobako"
      sandboxes = Array.new(4) { Kobako::Sandbox.new.tap { |s| s.define(:N).bind(:F, ->(x) { x + 1 }) } }
      go = Queue.new
      threads = sandboxes.map.with_index { |s, i| Thread.new { go.pop; s.eval("N::F.call(\#{i}) + N::F.call(1)") } }
      4.times { go << true }
      print threads.map(&:value).join(",")
    RUBY
    3.times do
      out, err, status = Open3.capture3(RbConfig.ruby, "-I#{LIB}", "-e", script)
      assert_predicate status, :success?, err
      assert_equal "3,4,5,6", out
    end
  end
end
