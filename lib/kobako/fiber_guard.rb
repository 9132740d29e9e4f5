# frozen_string_literal: true

module Kobako
  # Wasmer keeps the running guest's context on the thread, and nests it:
  # a guest entered from another fiber while the first one waits in a
  # service call (a Fiber scheduler switching on `sleep` or IO, an explicit
  # Fiber.yield) would unbalance it, which ends the process. So on one
  # thread, a guest runs only when no other fiber is inside one; nesting
  # within the same fiber (a service running another sandbox) is fine.
  module FiberGuard
    module_function

    # Runs the block as the thread's innermost guest entry.
    # @raise [Kobako::FiberSwitchError] when another fiber is inside a guest
    def enter
      entries = Thread.current.thread_variable_get(:kobako_guest_fibers) ||
                Thread.current.thread_variable_set(:kobako_guest_fibers, [])
      if (inside = entries.last) && !inside.equal?(Fiber.current)
        raise FiberSwitchError, "another fiber of this thread is inside a Kobako sandbox (waiting in a " \
                                "service call); a sandbox cannot run until it returns"
      end

      entries.push(Fiber.current)
      begin
        yield
      ensure
        entries.pop
      end
    end
  end
  private_constant :FiberGuard
end
