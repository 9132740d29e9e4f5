# frozen_string_literal: true

module Kobako
  # Tells a service's own failure from an exception another thread
  # delivered into it.
  #
  # Thread#raise (and Timeout.timeout(t, Klass), which uses it) lands
  # wherever the target thread happens to be. During a service call that is
  # the service, and an ordinary StandardError there looks exactly like the
  # service failing: the dispatcher would hand it to the guest, which could
  # rescue it and carry on, swallowing the host's interrupt. Ruby marks no
  # exception as asynchronous, so the prepended Thread#raise makes the
  # exception itself (as Ruby would from its arguments), remembers that
  # very object, and raises it. Provenance is the object's identity: no
  # count to race with, no state on the thread (a frozen thread takes
  # Thread#raise like any other).
  module ThreadRaises
    # Exceptions another thread raised into their target, held weakly.
    FOREIGN = ObjectSpace::WeakMap.new
    # How deep a chain of causes is followed.
    CAUSES = 16
    KERNEL_RAISE = Kernel.instance_method(:raise)
    private_constant :FOREIGN, :CAUSES, :KERNEL_RAISE

    # Whether +error+, or an exception it was raised from (its cause: a
    # service that rescued a host's interrupt and raised its own), came
    # from another thread's Thread#raise.
    def self.foreign?(error)
      CAUSES.times do
        return false unless error.is_a?(Exception)
        return true if FOREIGN.key?(error)

        error = error.cause
      end
      false
    end

    # The exception Thread#raise(*args) raises, made as Ruby makes it; nil
    # when the arguments make none (Ruby's own raise then says why).
    def self.exception_for(args)
      first, message, backtrace = args
      exception =
        case args.size
        when 0 then RuntimeError.new("unhandled exception")
        when 1 then first.is_a?(String) ? RuntimeError.new(first) : first.exception
        else first.exception(message)
        end
      return nil unless exception.is_a?(Exception)

      exception.set_backtrace(backtrace) if args.size > 2
      exception
    rescue StandardError
      nil
    end

    def self.remember(exception)
      FOREIGN[exception] = true
    end

    # Prepended to Thread.
    module Marking
      def raise(*args)
        # A thread raising into itself raises at once, as Kernel#raise,
        # whatever interrupt mask is in place (a running guest's, for one).
        return KERNEL_RAISE.bind_call(self, *args) if equal?(Thread.current)

        exception = ThreadRaises.exception_for(args)
        return super unless exception

        ThreadRaises.remember(exception)
        super(exception)
      end
    end
    private_constant :Marking

    Thread.prepend(Marking)
  end
  private_constant :ThreadRaises
end
