# frozen_string_literal: true

module Kobako
  # Wasmer keeps the running guest's context on the thread, and nests it:
  # a guest entered from another fiber while the first one waits in a
  # service call (a Fiber scheduler switching on `sleep` or IO, an explicit
  # Fiber.yield) would unbalance it, which ends the process. So on one
  # thread, a guest runs only when no other fiber is inside one; nesting
  # within the same fiber (a service running another sandbox) is fine.
  #
  # A fiber left suspended inside a service call for good stops counting
  # once Ruby collects it: fibers are remembered by object id and held only
  # weakly.
  module FiberGuard
    # Every fiber that entered a guest, by object id, held weakly: an entry
    # goes when Ruby collects its fiber. (Not ObjectSpace._id2ref, which
    # fails for every live fiber once a process has started a Ractor.)
    FIBERS = ObjectSpace::WeakMap.new
    # Bookkeeping that must not be cut in half by Thread#raise or Timeout.
    NO_INTERRUPTS = { Object => :never }.freeze
    # While a guest runs, exceptions from other threads (Thread#raise,
    # Timeout, Thread#kill) are delivered only where Ruby is asked for them
    # at a blocking point: the extension's own checks (at the guest's
    # checkpoints and as each service call returns, where it can stop the
    # guest and re-raise them after it) and a service's sleep, IO or locks.
    # Never where Ruby checks on its own: as a service call hands control
    # back to the extension, a raise would skip the extension's and the
    # engine's frames (the sandbox stayed locked for good).
    GUEST_RUNNING = { Object => :on_blocking }.freeze
    # A frozen thread takes no thread variable: its entries live here,
    # held weakly (an entry list nothing is inside any more may go).
    FROZEN_THREADS = ObjectSpace::WeakMap.new
    private_constant :GUEST_RUNNING, :FROZEN_THREADS

    module_function

    # Runs the block as the thread's innermost guest entry, and yields the
    # current fiber's object id.
    # @raise [Kobako::FiberSwitchError] when another fiber is inside a guest
    def enter
      entries = entries_of(Thread.current)
      me = Fiber.current.object_id
      entered = false
      begin
        Thread.handle_interrupt(NO_INTERRUPTS) { entered = push(entries, me) }
        Thread.handle_interrupt(GUEST_RUNNING) { yield me }
      ensure
        entries.pop if entered
      end
    end

    # The fibers of +thread+ inside a guest, innermost last.
    def entries_of(thread)
      thread.thread_variable_get(:kobako_guest_fibers) ||
        if thread.frozen?
          FROZEN_THREADS[thread] || (FROZEN_THREADS[thread] = [])
        else
          thread.thread_variable_set(:kobako_guest_fibers, [])
        end
    end

    def push(entries, fiber_id)
      FIBERS[fiber_id] = Fiber.current unless FIBERS.key?(fiber_id)
      entries.pop while (inside = entries.last) && inside != fiber_id && gone?(inside)
      if inside && inside != fiber_id
        raise FiberSwitchError, "another fiber of this thread is inside a Kobako sandbox (waiting in a " \
                                "service call); a sandbox cannot run until it returns"
      end

      entries.push(fiber_id)
      true
    end

    # Whether the fiber with object id +id+ has been collected: nothing can
    # resume it, nor the guest call its stack held.
    def gone?(id) = !FIBERS.key?(id)
  end
  private_constant :FiberGuard
end
