# frozen_string_literal: true

require_relative "test_helper"

class OptionsTest < Minitest::Test
  def test_defaults
    sandbox = Kobako::Sandbox.new
    assert_equal 60.0, sandbox.timeout
    assert_equal 1 << 20, sandbox.memory_limit
    assert_equal 1 << 20, sandbox.stdout_limit
    assert_equal 1 << 20, sandbox.stderr_limit
  end

  def test_an_integer_timeout_reads_back_as_a_float
    timeout = Kobako::Sandbox.new(timeout: 5).timeout
    assert_equal 5.0, timeout
    assert_kind_of Float, timeout
  end

  def test_nil_disables_timeout_and_memory_limit
    sandbox = Kobako::Sandbox.new(timeout: nil, memory_limit: nil)
    assert_nil sandbox.timeout
    assert_nil sandbox.memory_limit
  end

  def test_output_limits_accept_zero_but_not_nil
    assert_equal 0, Kobako::Sandbox.new(stdout_limit: 0).stdout_limit
    assert_raises(ArgumentError) { Kobako::Sandbox.new(stdout_limit: nil) }
    assert_raises(ArgumentError) { Kobako::Sandbox.new(stderr_limit: nil) }
  end

  def test_wrong_types_and_ranges_are_argument_errors
    [
      { timeout: 0 }, { timeout: -1.0 }, { timeout: "5" }, { timeout: Float::INFINITY },
      { memory_limit: 0 }, { memory_limit: -1 }, { memory_limit: 1.5 },
      { stdout_limit: -1 }, { stdout_limit: "1" }, { stdout_limit: 1.5 },
      { stderr_limit: -1 }, { stderr_limit: "1" }
    ].each do |options|
      assert_raises(ArgumentError, options.inspect) { Kobako::Sandbox.new(**options) }
    end
  end

  def test_unknown_options_are_argument_errors
    assert_raises(ArgumentError) { Kobako::Sandbox.new(timeout_seconds: 1) }
  end

  def test_readers_return_the_given_options
    sandbox = Kobako::Sandbox.new(timeout: 0.5, memory_limit: 10 << 20, stdout_limit: 7, stderr_limit: 9)
    assert_equal [0.5, 10 << 20, 7, 9],
                 [sandbox.timeout, sandbox.memory_limit, sandbox.stdout_limit, sandbox.stderr_limit]
  end

  def test_later_sandboxes_share_the_loaded_artifact
    Kobako::Sandbox.new.eval("nil")
    started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    200.times { Kobako::Sandbox.new }
    each = (Process.clock_gettime(Process::CLOCK_MONOTONIC) - started) / 200
    assert_operator each, :<, 0.001, "a later Sandbox.new must not load the artifact again"
  end
end
