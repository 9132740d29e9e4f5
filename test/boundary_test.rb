# frozen_string_literal: true

require_relative "test_helper"

# What must never cross the boundary: a panic, a second caller's data, a
# host exception of the wrong class (SPEC §1, §8).
class BoundaryTest < Minitest::Test
  Person = Struct.new(:label)

  def test_huge_options_are_argument_errors_not_crashes
    [1e300, 1e19, 2**40].each do |timeout|
      assert_raises(ArgumentError, timeout.to_s) { Kobako::Sandbox.new(timeout:) }
    end
    %i[memory_limit fuel stdout_limit stderr_limit].each do |option|
      assert_raises(ArgumentError, option.to_s) { Kobako::Sandbox.new(option => 2**64) }
    end
    assert_equal 1, Kobako::Sandbox.new(timeout: 2**32, memory_limit: (2**63) - 1).eval("1")
  end

  def running_in_another_thread(sandbox, code)
    inside = Queue.new
    release = Queue.new
    sandbox.define(:Sync).bind(:Wait, -> { inside.push(true) && release.pop })
    thread = Thread.new { sandbox.eval(code) }
    inside.pop
    yield
    release.push(true)
    thread.value
  end

  def test_a_second_thread_is_refused_before_it_touches_the_running_invocation
    sandbox = Kobako::Sandbox.new
    sandbox.define(:People).bind(:Mine, -> { Person.new("mine") })
    sandbox.preload(code: "Peek = ->(person) { person }", name: :Peek)
    result = running_in_another_thread(sandbox, "h = People::Mine.call; Sync::Wait.call; h.label") do
      error = assert_raises(RuntimeError) { sandbox.run(:Peek, Person.new("secret")) }
      assert_match(/running an invocation/, error.message)
      assert_raises(RuntimeError) { sandbox.eval("1") }
    end
    assert_equal "mine", result, "the running guest's Handle still names its own object"
  end

  def test_a_service_reentering_its_own_sandbox_is_refused_and_leaves_it_intact
    sandbox = Kobako::Sandbox.new
    sandbox.define(:People).bind(:Mine, -> { Person.new("mine") })
    sandbox.define(:Again).bind(:Enter, -> { sandbox.run(:Nope, Person.new("secret")) })
    assert_equal %w[RuntimeError mine], sandbox.eval(<<~RUBY)
      h = People::Mine.call
      klass = begin
        Again::Enter.call
      rescue Kobako::ServiceError => e
        e.klass
      end
      [klass, h.label]
    RUBY
  end

  def test_handles_release_their_objects_when_the_invocation_ends
    sandbox = Kobako::Sandbox.new
    sandbox.define(:People).bind(:Make, -> { Person.new("x") })
    sandbox.eval("People::Make.call; nil")
    handles = sandbox.instance_variable_get(:@dispatcher).instance_variable_get(:@handles)
    assert_nil handles, "the handle table outlived the invocation: #{handles.inspect}"
  end

  # What the binding keeps while the guest runs without the GVL (the
  # dispatcher, a raised exception) must survive other threads' GC.
  def test_services_handles_and_errors_under_gc_stress
    sandbox = Kobako::Sandbox.new
    sandbox.define(:S).bind(:Make, -> { Person.new("p") }).bind(:Fail, -> { raise KeyError, "k" })
           .bind(:Stop, -> { raise Interrupt, "stop #{'x' * 100}" })
    churn = Thread.new { loop { Array.new(100) { "garbage" } } }
    GC.stress = true
    assert_equal %w[p KeyError],
                 sandbox.eval("h = S::Make.call; begin; S::Fail.call; rescue => e; end; [h.label, e.klass]")
    error = assert_raises(Interrupt) { sandbox.eval("S::Stop.call") }
    assert_equal "stop #{'x' * 100}", error.message
    assert_raises(Kobako::ServiceError) { sandbox.eval("S::Fail.call") }
  ensure
    GC.stress = false
    churn&.kill
  end

  def test_a_slow_compile_holds_up_no_other_thread
    finished = Queue.new
    slow = Thread.new { Kobako.compile("x = 1\n" * 30_000, name: "slow") && finished.push(:slow) }
    sleep 0.2 # the slow compile has started (it takes over a second)
    Kobako.compile("1", name: "fast") && finished.push(:fast)
    slow.join
    assert_equal %i[fast slow], [finished.pop, finished.pop]
  end
end

# What a service raises, and what it returns, never escapes as anything but
# a Kobako error (SPEC §8).
class ServiceFailureTest < Minitest::Test
  def setup
    @sandbox = Kobako::Sandbox.new
  end

  # The class name and message the guest saw for +service+'s failure.
  def failure_of(service)
    @sandbox.define(:S).bind(:Fail, service)
    @sandbox.eval(<<~RUBY)
      begin
        S::Fail.call
        :no_failure
      rescue Kobako::ServiceError => e
        [e.klass, e.message, e.message.encoding.to_s]
      end
    RUBY
  end

  def test_every_kind_of_service_exception_reaches_the_guest_as_a_service_error
    { NotImplementedError => "ni", LoadError => "le", ScriptError => "se", NoMemoryError => "nm",
      SystemStackError => "ss", SecurityError => "sec" }.each do |klass, message|
      setup
      assert_equal [klass.name, message, "UTF-8"], failure_of(-> { raise klass, message })
    end
  end

  def test_unreadable_messages_become_text
    bad_message = Class.new(StandardError) { def message = raise("no") }
    odd_message = Class.new(StandardError) { def message = 42 }
    assert_equal "(StandardError whose message raised)", failure_of(-> { raise bad_message })[1]
    setup
    assert_equal "(StandardError with a Integer message)", failure_of(-> { raise odd_message })[1]
    setup
    klass, message, encoding = failure_of(-> { raise ArgumentError, "bad \xff bytes".b })
    assert_equal %w[ArgumentError UTF-8], [klass, encoding]
    assert message.valid_encoding?
  end

  def test_a_message_raising_a_bare_exception_is_text
    bare = Class.new(StandardError) { def message = raise(Exception, "message failed") } # rubocop:disable Lint/RaiseException
    assert_equal "(StandardError whose message raised)", failure_of(-> { raise bare })[1]
  end

  def test_a_message_that_overflows_the_stack_is_text
    deep = Class.new(StandardError) { def message = message }
    assert_equal "(StandardError whose message raised)", failure_of(-> { raise deep })[1]
  end

  def test_a_result_the_host_cannot_rebuild_is_a_sandbox_error
    proxy = Class.new(BasicObject) { def ok = 1 }
    @sandbox.define(:P).bind(:Get, -> { proxy.new })
    error = assert_raises(Kobako::SandboxError) { @sandbox.eval("{P::Get.call => 1}") }
    assert_match(/cannot be rebuilt on the host/, error.message)
    assert_equal "NoMethodError", error.klass
  end

  def test_class_names_are_names
    singleton = RangeError.new("r").tap { |e| def e.extra = 1 }
    assert_equal "RangeError", failure_of(-> { raise singleton })[0]
    setup
    assert_equal "KeyError", failure_of(-> { raise Class.new(KeyError), "anon" })[0]
  end

  # An empty name's bytes once reached Ruby's symbol lookup as Rust's
  # dangling placeholder pointer: the process crashed.
  def test_empty_names_are_refused_not_a_crash
    @sandbox.define(:Ns).bind(:F, Object.new)
    message = @sandbox.eval('begin; Ns::F.__send__(:""); rescue Kobako::ServiceError => e; e.message; end')
    assert_equal "undefined method '' for service Ns::F", message
    assert @sandbox.eval('begin; Kobako::Service.new(["", "F"]).call; rescue Kobako::ServiceError; true; end')
  end

  def test_values_that_cannot_cross_out_of_a_service
    cyclic = [].tap { |a| a << a }
    deep = (1..100_000).reduce([]) { |inner, _| [inner] }
    [cyclic, deep, "\xff".b.to_sym, 2**64].each do |value|
      setup
      klass, = failure_of(-> { value })
      assert_equal "ArgumentError", klass
    end
  end

  def test_values_that_cannot_cross_into_run_are_argument_errors_and_do_not_seal
    @sandbox.preload(code: "Id = ->(x) { x }", name: :Id)
    cyclic = {}.tap { |h| h[:self] = h }
    deep = (1..100_000).reduce([]) { |inner, _| [inner] }
    [cyclic, deep, "\xfe".b.to_sym, -(2**64)].each do |value|
      assert_raises(ArgumentError) { @sandbox.run(:Id, value) }
      assert_raises(ArgumentError) { @sandbox.run(:Id, key: value) }
    end
    @sandbox.preload(code: "Two = -> { 2 }", name: :Two)
    assert_equal 2, @sandbox.run(:Two), "still not sealed"
  end

  def test_a_timeout_during_a_service_call_reaches_the_caller
    require "timeout"
    @sandbox.define(:S).bind(:Wait, -> { sleep 5 })
    started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    assert_raises(Timeout::Error) do
      Timeout.timeout(0.1) { @sandbox.eval("begin; S::Wait.call; rescue Exception; end; :swallowed") }
    end
    assert_operator Process.clock_gettime(Process::CLOCK_MONOTONIC) - started, :<, 2
    assert_equal 1, @sandbox.eval("1")
  end

  # Timeout.timeout(t, Klass) and Thread#raise deliver an ordinary
  # StandardError into whatever the thread runs: inside a service, it is
  # still the caller's interrupt, never the service's failure.
  def test_a_timeout_with_its_own_class_during_a_service_call_reaches_the_caller
    require "timeout"
    expired = Class.new(StandardError)
    @sandbox.define(:S).bind(:Wait, -> { sleep 5 })
    started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    assert_raises(expired) do
      Timeout.timeout(0.1, expired) do
        @sandbox.eval("loop { begin; S::Wait.call; rescue Kobako::ServiceError; end }")
      end
    end
    assert_operator Process.clock_gettime(Process::CLOCK_MONOTONIC) - started, :<, 2
    assert_equal 1, @sandbox.eval("1")
  end

  # Raises ArgumentError into a thread whose guest calls +service+ in a
  # loop that rescues every ServiceError, once the service has begun; the
  # exception that thread's #eval raised.
  def raised_into_a_service_call(service)
    entered = Queue.new
    @sandbox.define(:S).bind(:Call, lambda {
      entered << true
      service.call
    })
    caller = Thread.new do
      @sandbox.eval("loop { begin; S::Call.call; rescue StandardError; end }")
    rescue StandardError => e
      e
    end
    entered.pop
    caller.raise(ArgumentError, "from the host")
    assert caller.join(2), "the guest swallowed the host's Thread#raise"
    caller.value
  end

  def test_thread_raise_during_a_service_call_reaches_the_thread_as_raised
    error = raised_into_a_service_call(-> { sleep 5 })
    assert_equal [ArgumentError, "from the host"], [error.class, error.message]
  end

  # Ruby looks for other threads' exceptions as a service call returns to
  # the extension; one raised there skipped the extension's and the
  # engine's frames (undefined behaviour), and the sandbox stayed locked.
  def test_timeouts_as_service_calls_return_leave_the_sandbox_usable
    require "timeout"
    sandbox = Kobako::Sandbox.new(timeout: 5)
    sandbox.define(:Ns).bind(:F, -> { "x" * 1000 })
    500.times do
      Timeout.timeout(0.002) { sandbox.eval("loop { Ns::F.call }") }
    rescue Timeout::Error
      nil
    end
    assert_equal 1, sandbox.eval("1")
  end

  # Made slowly (logging, say): the raising thread runs Ruby code between
  # counting the raise and queueing it, and the target may take its mark
  # in between.
  class SlowToMake < StandardError
    def initialize(message = "from the host")
      sleep 0.05
      super
    end
  end

  def test_a_thread_raise_slow_to_make_still_reaches_the_host
    @sandbox.define(:S).bind(:Work, -> { sleep 0.001 })
    caller = Thread.current
    Thread.new do
      sleep 0.1
      caller.raise(SlowToMake)
    end
    assert_raises(SlowToMake) { @sandbox.eval("loop { begin; S::Work.call; rescue StandardError; end }") }
  end

  def test_a_frozen_thread_runs_sandboxes_and_takes_thread_raise
    require "timeout"
    sandbox = Kobako::Sandbox.new(timeout: 5)
    sandbox.define(:S).bind(:F, -> { 1 })
    result = Thread.new do
      Thread.current.freeze
      first = sandbox.eval("S::F.call")
      stopped = begin
        Timeout.timeout(0.1) { sandbox.eval("loop { S::F.call }") }
      rescue Timeout::Error
        :stopped
      end
      [first, stopped]
    end.value
    assert_equal [1, :stopped], result
  end

  class NoHash
    def hash = raise(NotImplementedError, "no #hash here")
  end

  def test_a_result_the_host_cannot_rebuild_is_a_sandbox_error_whatever_it_raises
    @sandbox.define(:S).bind(:Get, -> { NoHash.new })
    error = assert_raises(Kobako::SandboxError) { @sandbox.eval("{ S::Get.call => 1 }") }
    assert_equal "NotImplementedError", error.klass
  end

  # The exception another thread raised is remembered as an object: a
  # service that rescues it and raises its own (with it as the cause)
  # still ends the invocation.
  def test_a_service_wrapping_a_host_thread_raise_still_ends_the_invocation
    wrapping = lambda do
      sleep 5
    rescue ArgumentError
      raise KeyError, "wrapped"
    end
    error = raised_into_a_service_call(wrapping)
    assert_equal [KeyError, "wrapped"], [error.class, error.message]
  end

  def test_a_service_raising_on_its_own_thread_is_still_a_service_failure
    @sandbox.define(:S).bind(:Fail, -> { Thread.current.raise(ArgumentError, "own") })
    assert_equal "own", @sandbox.eval("begin; S::Fail.call; rescue Kobako::ServiceError => e; e.message; end")
  end

  def test_a_handle_the_host_made_up_is_disconnected_not_a_private_error
    @sandbox.preload(code: "Id = ->(x) { x }", name: :Id)
    assert_raises(Kobako::ServiceError::Disconnected) { @sandbox.run(:Id, Kobako::Handle.new(99)) }
  end

  def test_an_interrupt_raised_in_a_service_reaches_the_caller_as_raised
    @sandbox.define(:S).bind(:Stop, -> { raise Interrupt })
    assert_raises(Interrupt) { @sandbox.eval("begin; S::Stop.call; rescue Exception; :swallowed; end") }
    assert_equal 1, @sandbox.eval("1")
  end
end

# Services that switch fibers never crash the process (SPEC §1).
class FiberTest < Minitest::Test
  def test_another_fiber_cannot_enter_a_guest_while_one_waits_in_a_service
    first = Kobako::Sandbox.new
    first.define(:S).bind(:Pause, -> { Fiber.yield(:paused) })
    second = Kobako::Sandbox.new
    fiber = Fiber.new { first.eval("S::Pause.call; :first_done") }
    assert_equal :paused, fiber.resume
    error = assert_raises(Kobako::FiberSwitchError) { second.eval("1") }
    assert_match(/another fiber/, error.message)
    assert_raises(Kobako::FiberSwitchError) { Kobako.compile("1", name: "x") }
    assert_equal :first_done, fiber.resume
    assert_equal 2, second.eval("2"), "works again once the fiber is out"
  end

  # Without the guard this interleaving ended the process (Wasmer:
  # "Mismatched store context reinstall").
  def test_two_guests_paused_in_two_fibers_are_refused_not_a_crash
    first = Kobako::Sandbox.new
    first.define(:S).bind(:Pause, -> { Fiber.yield(:paused) })
    second = Kobako::Sandbox.new
    second.define(:S).bind(:Pause, -> { Fiber.yield(:paused) })
    one = Fiber.new { first.eval("S::Pause.call; :one") }
    two = Fiber.new { second.eval("S::Pause.call; :two") }
    assert_equal :paused, one.resume
    assert_raises(Kobako::FiberSwitchError) { two.resume }
    assert_equal :one, one.resume
  end

  def test_nesting_within_one_fiber_still_works
    inner = Kobako::Sandbox.new
    outer = Kobako::Sandbox.new
    outer.define(:N).bind(:In, -> { inner.eval("40 + 2") })
    assert_equal 42, Fiber.new { outer.eval("N::In.call") }.resume
  end
end

# Sandboxes work in a child after fork, even one another thread of the
# parent was using (SPEC §1).
class ForkTest < Minitest::Test
  def test_a_sandbox_busy_in_another_thread_works_in_the_child
    sandbox = Kobako::Sandbox.new(timeout: 10)
    started = Queue.new
    sandbox.define(:S).bind(:Started, -> { started.push(true) })
    running = Thread.new do
      sandbox.eval("S::Started.call; loop {}")
    rescue StandardError => e
      e
    end
    started.pop
    sleep 0.05 # inside the guest's loop now
    reader, writer = IO.pipe
    pid = fork do
      reader.close
      answers = [sandbox.eval("40 + 2"), Kobako::Sandbox.new.eval("1"),
                 Kobako.compile("2", name: "c").bytesize.positive?]
      writer.write(Marshal.dump(answers))
    rescue Exception => e # rubocop:disable Lint/RescueException -- report anything to the parent
      writer.write(Marshal.dump(e.full_message))
    ensure
      writer.close
      exit!(0)
    end
    writer.close
    answers = Marshal.load(reader.read) # rubocop:disable Security/MarshalLoad -- our own child wrote it
    Process.wait(pid)
    assert_equal [42, 1, true], answers
  ensure
    running&.kill&.join
  end

  # The forking thread exists in the child, inside its own invocation: the
  # child must not take that sandbox over from under it.
  def test_a_child_forked_inside_a_service_does_not_take_over_its_own_invocation
    sandbox = Kobako::Sandbox.new
    sandbox.define(:F).bind(:Fork, lambda {
      pid = fork do
        sandbox.stdout
        exit!(0)
      rescue RuntimeError
        exit!(3)
      end
      Process.wait(pid)
      Process.last_status.exitstatus
    })
    assert_equal 3, sandbox.eval("F::Fork.call")
  end
end
