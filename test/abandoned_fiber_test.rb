# frozen_string_literal: true

require_relative "test_helper"
require "open3"
require "rbconfig"

# A fiber left suspended inside a service call for good (never resumed)
# held its sandbox, and kept every other fiber of its thread out of every
# sandbox, for as long as the process lived: the Mutex, the fiber guard and
# the native lock all still held it. Once the fiber can never resume (Ruby
# collected it, or its thread ended) both work again (SPEC §1). Each case
# runs in a fresh process: one fiber a conservative GC happens to keep
# alive would otherwise shut this whole test process out of its sandboxes.
class AbandonedFiberTest < Minitest::Test
  LIB = File.expand_path("../lib", __dir__)

  PRELUDE = <<~RUBY
    require "kobako"
    $stdout.sync = true
    Guard = Kobako.const_get(:FiberGuard)

    def pausing_sandbox
      Kobako::Sandbox.new.tap { |s| s.define(:S).bind(:Pause, -> { Fiber.yield(:paused) }) }
    end

    # A fresh fiber suspended inside sandbox's S::Pause service, left
    # there; returns its object id and keeps no reference to it.
    def abandon_inside_a_service(sandbox)
      fiber = Fiber.new { sandbox.eval("S::Pause.call; :never") }
      raise "did not pause" unless fiber.resume == :paused

      fiber.object_id
    end

    # Loops without blocks: a C frame (Integer#times) over the stack slots
    # Fiber#resume used keeps the fiber visible to the conservative scan.
    def collect(fiber_id)
      tries = 0
      while tries < 10
        GC.start(full_mark: true, immediate_sweep: true)
        return true if Guard.gone?(fiber_id)

        tries += 1
      end
      false
    end

    def attempt
      yield.inspect
    rescue StandardError => e
      e.class.name
    end
  RUBY

  def run_script(body)
    out, err, status = Open3.capture3(RbConfig.ruby, "-I#{LIB}", "-e", PRELUDE + body)
    assert status.success?, "the process failed (#{status}):\n#{err}"
    out.lines.map(&:chomp)
  end

  def test_a_sandbox_abandoned_by_a_collected_fiber_works_again
    lines = run_script(<<~RUBY)
      sandbox = pausing_sandbox
      sandbox.define(:K).bind(:Echo, ->(x) { x })
      other = Kobako::Sandbox.new
      id = abandon_inside_a_service(sandbox)
      puts attempt { other.eval("1") }
      puts collect(id)
      puts attempt { sandbox.eval("1 + 2") }
      puts attempt { sandbox.eval("[K::Echo.call(5), K::Echo.call('x')]") }
      puts attempt { other.eval("2 + 2") }
      puts attempt { sandbox.eval("$x = 7") }
      puts attempt { sandbox.eval("$x") }
    RUBY
    assert_equal ["Kobako::FiberSwitchError", "true", "3", '[5, "x"]', "4", "7", "nil"], lines
  end

  def test_each_abandoned_fiber_lets_go
    lines = run_script(<<~RUBY)
      sandbox = pausing_sandbox
      i = 0
      while i < 3
        id = abandon_inside_a_service(sandbox)
        puts collect(id)
        puts attempt { sandbox.eval(i.to_s) }
        i += 1
      end
    RUBY
    assert_equal %w[true 0 true 1 true 2], lines
  end

  # Ruby unlocks what an ended thread held; the native lock stayed held (a
  # RuntimeError on every later call).
  def test_a_sandbox_abandoned_by_a_fiber_of_an_ended_thread_works_again
    lines = run_script(<<~RUBY)
      sandbox = pausing_sandbox
      Thread.new { abandon_inside_a_service(sandbox) }.join
      puts attempt { sandbox.eval("2 + 3") }
      Thread.new { abandon_inside_a_service(sandbox) }.join
      puts attempt { sandbox.eval("S.name") }
    RUBY
    assert_equal ["5", "\"S\""], lines
  end

  # A busy sandbox is never taken back from a live fiber, even once the
  # process has started a Ractor (after which ObjectSpace._id2ref, an
  # earlier way of telling a collected fiber, fails for every live one).
  def test_a_sandbox_busy_in_another_thread_is_refused_after_a_ractor_started
    lines = run_script(<<~RUBY)
      Warning[:experimental] = false
      Ractor.new { 1 }.take
      sandbox = Kobako::Sandbox.new(timeout: 10)
      inside, release = Queue.new, Queue.new
      sandbox.define(:S).bind(:Wait, -> { inside << true; release.pop })
      worker = Thread.new { sandbox.eval("S::Wait.call; 6 * 7") }
      inside.pop
      puts attempt { sandbox.eval("1") }
      release << true
      puts worker.value
    RUBY
    assert_equal %w[RuntimeError 42], lines
  end

  # Never taken back from the fiber running it: a service calling its own
  # sandbox is refused, the outer invocation intact.
  def test_a_service_calling_its_own_sandbox_is_still_refused
    sandbox = Kobako::Sandbox.new
    sandbox.define(:S).bind(:Again, -> { sandbox.eval("1") })
    error = assert_raises(Kobako::ServiceError) { sandbox.eval("S::Again.call") }
    assert_match(/running an invocation/, error.message)
    assert_equal 2, sandbox.eval("2")
  end
end
