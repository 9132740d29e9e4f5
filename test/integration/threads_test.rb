# frozen_string_literal: true

require_relative "../test_helper"
require "timeout"

# The GVL is released while guest code runs (SPEC §10).
class ThreadsTest < Minitest::Test
  def monotonic = Process.clock_gettime(Process::CLOCK_MONOTONIC)

  # A script that runs for about `seconds` on this machine.
  def busy_script(seconds)
    sandbox = Kobako::Sandbox.new(timeout: nil)
    started = monotonic
    sandbox.eval("i = 0; i += 1 while i < 1_000_000")
    per_million = monotonic - started
    "i = 0; i += 1 while i < #{(seconds / per_million * 1_000_000).to_i}; i"
  end

  # With the GVL held during an eval, the second thread could not even
  # start its eval until the first one ended: the two intervals would not
  # overlap. (How much faster two threads are depends on the machine's
  # cores, so that belongs in a benchmark.)
  def test_two_sandboxes_on_two_threads_overlap
    script = busy_script(0.2)
    sandboxes = Array.new(2) { Kobako::Sandbox.new(timeout: nil) }
    sandboxes.each { |s| s.eval("nil") }
    intervals = sandboxes.map do |s|
      Thread.new do
        started = monotonic
        s.eval(script)
        started..monotonic
      end
    end.map(&:value)
    first, second = intervals.sort_by(&:begin)
    assert_operator second.begin, :<, first.end, "the evals ran one after the other: #{intervals}"
  end

  def test_ruby_threads_run_while_the_guest_runs
    sandbox = Kobako::Sandbox.new(timeout: nil)
    ticks = 0
    ticker = Thread.new do
      loop do
        ticks += 1
        sleep 0.005
      end
    end
    sandbox.eval(busy_script(0.2))
    ticker.kill
    assert_operator ticks, :>=, 10, "the ticker thread was starved"
  end

  def test_timeout_timeout_stops_a_running_eval
    sandbox = Kobako::Sandbox.new(timeout: nil)
    started = monotonic
    assert_raises(Timeout::Error) { Timeout.timeout(0.05) { sandbox.eval("loop {}") } }
    assert_operator monotonic - started, :<, 0.5
    assert_equal 2, sandbox.eval("1 + 1"), "usable after being interrupted"
  end

  def test_thread_kill_stops_a_running_eval
    sandbox = Kobako::Sandbox.new(timeout: nil)
    thread = Thread.new { sandbox.eval("loop {}") }
    sleep 0.05
    started = monotonic
    thread.kill
    assert thread.join(1), "the thread did not stop"
    assert_operator monotonic - started, :<, 0.5
    assert_equal 2, sandbox.eval("1 + 1"), "usable after its thread was killed"
  end

  def test_one_sandbox_from_two_threads_is_refused_not_corrupted
    sandbox = Kobako::Sandbox.new(timeout: 2)
    runner = Thread.new { sandbox.eval("i = 0; i += 1 while i < 20_000_000; i") }
    sleep 0.05
    error = assert_raises(RuntimeError) { sandbox.eval("1") }
    assert_match(/another thread/, error.message)
    assert_equal 20_000_000, runner.value
    assert_equal 1, sandbox.eval("1")
  end

  def test_many_threads_on_their_own_sandboxes_get_their_own_answers
    results = Array.new(6) do |t|
      Thread.new do
        sandbox = Kobako::Sandbox.new
        sandbox.define(:T).bind(:Id, -> { t })
        Array.new(40) { |i| sandbox.eval("T::Id.call * 1000 + #{i}") == (t * 1000) + i && sandbox.stdout == "" }
      end
    end.map(&:value)
    assert(results.flatten.all?, "every thread saw only its own sandbox's results")
  end
end
