# frozen_string_literal: true

require_relative "test_helper"

class PreloadRunTest < Minitest::Test
  def setup
    @sandbox = Kobako::Sandbox.new
  end

  def test_run_calls_a_preloaded_entrypoint
    @sandbox.preload(code: "Adder = ->(a, b) { a + b }", name: :Adder)
    assert_equal 5, @sandbox.run(:Adder, 2, 3)
    assert_equal 7, @sandbox.run("Adder", 3, 4)
  end

  def test_preload_returns_self_and_chains
    assert_same @sandbox, @sandbox.preload(code: "A = 1", name: :A)
  end

  def test_keyword_arguments_arrive_as_keywords
    @sandbox.preload(code: "Geo = ->(name:, region:) { \"\#{region}/\#{name}\" }", name: :Geo)
    assert_equal "us/alice", @sandbox.run(:Geo, name: "alice", region: "us")
    @sandbox2 = Kobako::Sandbox.new
    @sandbox2.preload(code: "Opts = ->(opts) { opts[:name] }", name: :Opts)
    assert_equal "bob", @sandbox2.run(:Opts, name: "bob")
  end

  def test_snippets_replay_in_order_and_persist_across_invocations
    @sandbox.preload(code: "module Util; def self.double(x) = x * 2; end", name: :Util)
    @sandbox.preload(code: "Quad = ->(x) { Util.double(Util.double(x)) }", name: :Quad)
    assert_equal 12, @sandbox.run(:Quad, 3)
    @sandbox.eval("$poison = true; Util.singleton_class.send(:undef_method, :double)")
    assert_equal 20, @sandbox.run(:Quad, 5)
    assert_nil @sandbox.eval("$poison")
  end

  def test_a_syntax_error_raises_at_preload
    error = assert_raises(Kobako::SandboxError) { @sandbox.preload(code: "Broken = ->(", name: :Broken) }
    assert_equal "SyntaxError", error.klass
    @sandbox.preload(code: "Fine = -> { :ok }", name: :Fine)
    assert_equal :ok, @sandbox.run(:Fine)
  end

  def test_preload_after_the_first_invocation_is_refused
    @sandbox.eval("1")
    assert_raises(ArgumentError) { @sandbox.preload(code: "Late = 1", name: :Late) }
  end

  def test_a_failing_first_invocation_still_seals
    assert_raises(Kobako::SandboxError) { @sandbox.eval("raise 'boom'") }
    assert_raises(ArgumentError) { @sandbox.preload(code: "Late = 1", name: :Late) }
  end

  def test_preload_argument_errors
    assert_raises(ArgumentError) { @sandbox.preload(code: "X = 1", name: :lower) }
    assert_raises(ArgumentError) { @sandbox.preload(code: "X = 1", name: "A::B") }
    assert_raises(ArgumentError) { @sandbox.preload(code: "X = 1") }
    assert_raises(ArgumentError) { @sandbox.preload }
    assert_raises(ArgumentError) { @sandbox.preload(code: "X = 1", name: :X, binary: "x") }
    assert_raises(TypeError) { @sandbox.preload(code: 1, name: :X) }
    assert_raises(TypeError) { @sandbox.preload(binary: 1) }
  end

  def test_run_preflight_errors_do_not_seal
    error = assert_raises(TypeError) { @sandbox.run(42) }
    assert_match(/Symbol or String/, error.message)
    %w[lower A::B].push("").each do |bad|
      error = assert_raises(ArgumentError) { @sandbox.run(bad) }
      assert_match(/must match/, error.message)
    end
    error = assert_raises(ArgumentError) { @sandbox.run(:X, **{ "a" => 1 }) }
    assert_match(/kwargs keys must be Symbols/, error.message)
    @sandbox.preload(code: "Still = -> { :open }", name: :Still)
    assert_equal :open, @sandbox.run(:Still)
  end

  def test_a_missing_entrypoint_lists_what_the_snippets_defined
    @sandbox.preload(code: "Alpha = -> { 1 }\nBeta = 2", name: :Snippets)
    error = assert_raises(Kobako::SandboxError) { @sandbox.run(:Gamma) }
    assert_equal "undefined entrypoint: Gamma", error.message
    assert_equal %i[Alpha Beta], error.details["available"]
    error = assert_raises(Kobako::SandboxError) { @sandbox.run(:Beta) }
    assert_match(/does not respond to :call/, error.message)
  end

  def test_an_error_inside_the_entrypoint_is_a_sandbox_error_with_its_frames
    @sandbox.preload(code: "Boom = ->(x) {\n  x / 0\n}", name: :Boom)
    error = assert_raises(Kobako::SandboxError) { @sandbox.run(:Boom, 1) }
    assert_equal "ZeroDivisionError", error.klass
    assert(error.backtrace_lines.any? { |line| line.include?("Boom") }, error.backtrace_lines.inspect)
  end

  def test_arguments_round_trip_exactly
    @sandbox.preload(code: "Echo = ->(*args, **kw) { [args, kw] }", name: :Echo)
    args = [nil, true, false, (2**63) - 1, -2**63, 1.5, -0.0, Float::INFINITY, "héllo", :sym,
            [1, [2, [3]]], { 1 => "one", "two" => :two, [3] => nil }]
    back_args, back_kw = @sandbox.run(:Echo, *args, key: "value")
    assert_equal args, back_args
    assert_predicate back_args[6], :zero?
    assert_predicate 1 / back_args[6], :negative?
    assert_equal({ key: "value" }, back_kw)
    nan = @sandbox.run(:Echo, Float::NAN).first.first
    assert_predicate nan, :nan?
  end

  def test_arguments_without_a_wire_form_are_refused_before_running
    @sandbox.preload(code: "Echo = ->(x) { x }", name: :Echo)
    assert_raises(ArgumentError, "SPEC §8: only ArgumentError or TypeError before anything runs") do
      @sandbox.run(:Echo, 2**64)
    end
    assert_raises(ArgumentError) { @sandbox.run(:Echo, (1..200).reduce([]) { |a, _| [a] }) }
    assert_equal 1, @sandbox.run(:Echo, 1)
  end

  def test_compiled_bytecode_preloads_with_and_without_debug_info
    source = "Triple = ->(x) {\n  x * 3\n}"
    debug = Kobako.compile(source, name: "triple.rb")
    stripped = Kobako.compile(source, name: "triple.rb", debug: false)
    assert_equal Encoding::ASCII_8BIT, debug.encoding
    assert debug.start_with?("RITE0300")
    assert_operator stripped.bytesize, :<, debug.bytesize
    [debug, stripped].each do |bytecode|
      sandbox = Kobako::Sandbox.new.preload(binary: bytecode)
      assert_equal 12, sandbox.run(:Triple, 4)
    end
  end

  def test_compile_reports_syntax_errors
    error = assert_raises(Kobako::SandboxError) { Kobako.compile("def (", name: "bad.rb") }
    assert_equal "SyntaxError", error.klass
  end

  def test_invalid_bytecode_raises_bytecode_error_on_first_use
    good = Kobako.compile("Ok = 1", name: "ok.rb")
    wrong_version = good.dup.tap { |b| b[4, 4] = "0200" }
    { "garbage, not bytecode" => /RITE/, good[0, good.bytesize / 2] => /truncated/,
      good[0, 6] => /truncated/, wrong_version => /version/ }.each do |bytes, says|
      sandbox = Kobako::Sandbox.new.preload(binary: bytes)
      error = assert_raises(Kobako::BytecodeError) { sandbox.eval("1") }
      assert_match says, error.message
      assert_kind_of Kobako::SandboxError, error
    end
  end

  def test_later_snippets_see_earlier_ones_at_load_time
    @sandbox.preload(code: "A = [1]", name: :A).preload(code: "B = A + [2]", name: :B)
    assert_equal [1, 2], @sandbox.eval("B")
  end

  def test_a_syntax_error_at_preload_carries_the_message
    error = assert_raises(Kobako::SandboxError) { @sandbox.preload(code: "Broken = ->(", name: :Broken) }
    assert_match(/syntax error/, error.message)
  end

  def test_the_snippet_name_appears_in_backtraces
    @sandbox.preload(code: "Boom = ->(x) {\n  x / 0\n}", name: :MyHelpers)
    error = assert_raises(Kobako::SandboxError) { @sandbox.run(:Boom, 1) }
    assert(error.backtrace_lines.any? do |line|
             line.start_with?("(snippet:MyHelpers):2")
           end, error.backtrace_lines.inspect)
  end

  def test_bytecode_without_debug_info_has_no_line_frames
    source = "Boom = ->(x) {\n  x / 0\n}"
    sandbox = Kobako::Sandbox.new.preload(binary: Kobako.compile(source, name: "boom.rb", debug: false))
    error = assert_raises(Kobako::SandboxError) { sandbox.run(:Boom, 1) }
    assert_equal "ZeroDivisionError", error.klass
    refute(error.backtrace_lines.any? { |line| line.start_with?("boom.rb:") }, error.backtrace_lines.inspect)
  end

  def test_run_seals_registration
    @sandbox.preload(code: "One = -> { 1 }", name: :One)
    assert_equal 1, @sandbox.run(:One)
    assert_raises(ArgumentError) { @sandbox.define(:Late) }
    assert_raises(ArgumentError) { @sandbox.preload(code: "Two = -> { 2 }", name: :Two) }
  end

  def test_output_is_captured_and_cleared_for_run
    @sandbox.preload(code: "Say = ->(x) { puts x; warn x }", name: :Say).preload(code: "Quiet = -> { }", name: :Quiet)
    @sandbox.run(:Say, "hi")
    assert_equal %W[hi\n hi\n], [@sandbox.stdout, @sandbox.stderr]
    @sandbox.run(:Quiet)
    assert_equal ["", ""], [@sandbox.stdout, @sandbox.stderr]
  end

  def test_hash_order_survives_run
    @sandbox.preload(code: "Echo = ->(x) { x }", name: :Echo)
    hash = { 3 => 1, "a" => 2, b: 3, [1] => 4, nil => 5 }
    assert_equal [3, "a", :b, [1], nil], @sandbox.run(:Echo, hash).keys
  end

  def test_moderate_nesting_round_trips_and_too_deep_is_refused
    @sandbox.preload(code: "Echo = ->(x) { x }", name: :Echo)
    deep = 1
    50.times { deep = [deep] }
    assert_equal deep, @sandbox.run(:Echo, deep)
    assert_equal deep, @sandbox.eval("a = 1; 50.times { a = [a] }; a")
    error = assert_raises(Kobako::SandboxError) { @sandbox.eval("a = 1; 200.times { a = [a] }; a") }
    assert_match(/nesting deeper than 128/, error.message)
    assert_raises(ArgumentError) { @sandbox.run(:Echo, (1..200).reduce({}) { |h, _| { k: h } }) }
  end

  def test_details_available_excludes_services_and_includes_binary_snippets
    sandbox = Kobako::Sandbox.new
    sandbox.define(:Svc).bind(:M, -> { 1 })
    sandbox.preload(binary: Kobako.compile("Bin = -> { 1 }", name: "bin.rb"))
    sandbox.preload(code: "Src = -> { 2 }", name: :Src)
    error = assert_raises(Kobako::SandboxError) { sandbox.run(:Missing) }
    assert_equal %i[Bin Src], error.details["available"]
  end
end
