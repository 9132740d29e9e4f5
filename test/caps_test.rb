# frozen_string_literal: true

require_relative "test_helper"

class CapsTest < Minitest::Test
  def monotonic = Process.clock_gettime(Process::CLOCK_MONOTONIC)

  def test_timeout_stops_a_tight_loop_promptly
    ["loop {}", "while true; end", "x = 0; x += 1 while true"].each do |script|
      sandbox = Kobako::Sandbox.new(timeout: 0.05)
      started = monotonic
      error = assert_raises(Kobako::TimeoutError) { sandbox.eval(script) }
      elapsed = monotonic - started
      assert_match(/timeout/, error.message)
      assert_equal :timeout, error.cap
      assert_operator elapsed, :>=, 0.05
      assert_operator elapsed, :<, 0.1, "#{script}: stopped #{((elapsed - 0.05) * 1000).round(1)} ms late"
      assert_equal 2, sandbox.eval("1 + 1"), "usable after a timeout"
    end
  end

  def test_timeout_is_a_trap_error
    assert_operator Kobako::TimeoutError, :<, Kobako::TrapError
  end

  def test_a_script_under_the_timeout_passes
    assert_equal 0, Kobako::Sandbox.new(timeout: 2).eval("x=0; i=0; while i<100000; x ^= i; i += 1; end; x")
  end

  def test_no_timeout
    assert_equal 3_000_000, Kobako::Sandbox.new(timeout: nil).eval("i = 0; i += 1 while i < 3_000_000; i")
  end

  def test_fuel_fires_as_a_timeout_error_that_says_fuel
    sandbox = Kobako::Sandbox.new(fuel: 5_000, timeout: nil)
    error = assert_raises(Kobako::TimeoutError) { sandbox.eval("loop {}") }
    assert_match(/fuel/, error.message)
    assert_equal :fuel, error.cap
    assert_equal 3, sandbox.eval("1 + 2"), "usable after the fuel cap"
  end

  def test_fuel_is_enough_for_a_small_script
    assert_equal 45, Kobako::Sandbox.new(fuel: 100_000).eval("(1..9).sum")
  end

  def test_fuel_validation
    assert_nil Kobako::Sandbox.new.fuel
    assert_raises(ArgumentError) { Kobako::Sandbox.new(fuel: 0) }
    assert_raises(ArgumentError) { Kobako::Sandbox.new(fuel: 1.5) }
  end

  GROW = "a = []; 40.times { a << 'x' * 100_000 }; a.size"

  def test_memory_limit_raises_memory_limit_error
    sandbox = Kobako::Sandbox.new(memory_limit: 1 << 20)
    error = assert_raises(Kobako::MemoryLimitError) { sandbox.eval(GROW) }
    assert_match(/memory_limit/, error.message)
    assert_equal :memory_limit, error.cap
    assert_operator Kobako::MemoryLimitError, :<, Kobako::TrapError
    assert_equal 2, sandbox.eval("1 + 1"), "usable after the memory cap"
  end

  def test_memory_limit_is_not_rescuable_in_the_guest
    sandbox = Kobako::Sandbox.new(memory_limit: 1 << 20)
    assert_raises(Kobako::MemoryLimitError) do
      sandbox.eval("begin; #{GROW}; rescue NoMemoryError; :rescued; end")
    end
  end

  def test_memory_under_the_limit_passes_and_reuse_does_not_accumulate
    sandbox = Kobako::Sandbox.new(memory_limit: 1 << 20)
    30.times { assert_equal 300_000, sandbox.eval("('x' * 300_000).size") }
  end

  def test_a_larger_memory_limit_allows_more
    assert_equal 40, Kobako::Sandbox.new(memory_limit: 16 << 20).eval(GROW)
    assert_equal 40, Kobako::Sandbox.new(memory_limit: nil).eval(GROW)
  end

  def test_output_is_clipped_at_exactly_the_limit
    sandbox = Kobako::Sandbox.new(stdout_limit: 5, stderr_limit: 3)
    assert_equal 1, sandbox.eval("print 'hello world'; warn 'abcdef'; 1")
    assert_equal "hello", sandbox.stdout
    assert_equal "abc", sandbox.stderr
    assert_predicate sandbox, :stdout_truncated?
    assert_predicate sandbox, :stderr_truncated?
    sandbox.eval("print 'hello'")
    assert_equal "hello", sandbox.stdout
    refute_predicate sandbox, :stdout_truncated?, "exactly at the limit is not truncated"
    refute_predicate sandbox, :stderr_truncated?, "reset per invocation"
  end

  def test_a_zero_output_limit_keeps_nothing
    sandbox = Kobako::Sandbox.new(stdout_limit: 0)
    sandbox.eval("puts 'x'")
    assert_equal "", sandbox.stdout
    assert_predicate sandbox, :stdout_truncated?
  end

  def test_values_too_large_for_the_memory_budget_are_memory_limit_errors
    sandbox = Kobako::Sandbox.new(memory_limit: 1 << 20)
    sandbox.define(:Big).bind(:Get, -> { "x" * (4 << 20) })
    sandbox.preload(code: "Len = ->(x) { x.size }", name: :Len)
    [
      -> { sandbox.eval("Big::Get.call.size") }, # a service reply
      -> { sandbox.run(:Len, "y" * (4 << 20)) }, # a run argument
      -> { sandbox.eval('"z" * (4 << 20)') } # a result
    ].each do |too_large|
      assert_raises(Kobako::MemoryLimitError) { too_large.call }
      assert_equal 2, sandbox.eval("1 + 1")
    end
    assert_equal 100 << 10, sandbox.run(:Len, "y" * (100 << 10)), "within the budget it passes"
  end

  # The deadline covers what the guest makes the host do (SPEC §6): every
  # host import checks it, and output past its cap is not copied at all.
  def test_timeout_stops_guests_that_make_the_host_work
    sandbox = Kobako::Sandbox.new(timeout: 0.2, memory_limit: 64 << 20)
    sandbox.define(:Slow).bind(:Call, -> { sleep 0.02 })
    { 's = "x" * 12_000_000; loop { $stdout.write(s) }' => 0.5,
      's = "x" * 12_000_000; loop { $stderr.print(s, s, s) }' => 0.5,
      "loop { Slow::Call.call }" => 0.5 }.each do |script, bound|
      started = monotonic
      error = assert_raises(Kobako::TimeoutError, script) { sandbox.eval(script) }
      assert_equal :timeout, error.cap
      assert_operator monotonic - started, :<, bound, script
    end
  end

  def test_host_work_counts_toward_fuel
    sandbox = Kobako::Sandbox.new(fuel: 20_000, timeout: nil, memory_limit: 64 << 20, stdout_limit: 1 << 30)
    error = assert_raises(Kobako::TimeoutError) { sandbox.eval('s = "x" * 1_000_000; 50.times { $stdout.write(s) }') }
    assert_equal :fuel, error.cap
    assert_equal 3, sandbox.eval('s = "x" * 1_000; 5.times { $stdout.write(s) }; 3'), "small output fits the budget"
  end
end
