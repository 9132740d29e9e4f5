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
  # exception as asynchronous, so Thread#raise is counted per target thread
  # and the dispatcher compares the count around each service call.
  #
  # A raise is counted twice: when it begins, and once its exception is
  # queued for the target. In between, the raising thread runs Ruby code
  # (the exception's #exception and #initialize, which may log or sleep)
  # and another thread, the target, may run: a mark taken then is no mark.
  # The counts live in weak maps keyed by thread, not on the threads, so a
  # frozen thread is counted too (and Thread#raise into it still works).
  module ThreadRaises
    BEGUN = ObjectSpace::WeakMap.new
    QUEUED = ObjectSpace::WeakMap.new
    KERNEL_RAISE = Kernel.instance_method(:raise)
    private_constant :BEGUN, :QUEUED, :KERNEL_RAISE

    # How many raises other threads have begun into +thread+.
    def self.count(thread) = BEGUN[thread] || 0

    # The current thread's count, or nil when a raise into it is under way
    # or already queued (it is delivered somewhere after this). Asked on
    # every service call: one method, no helpers.
    def self.mark
      thread = Thread.current
      begun = BEGUN[thread] || 0
      begun if begun == (QUEUED[thread] || 0) && !Thread.pending_interrupt?
    end

    # Whether no other thread raised into this one since +mark+.
    def self.none_since?(mark) = mark == count(Thread.current)

    # Counts one more for +thread+. No Mutex: Thread#raise is called from
    # trap handlers, where none may be taken; and Ruby switches threads at
    # no point of this one line (its calls are C functions, with no
    # interrupt check between them).
    def self.add(counts, thread)
      counts[thread] = (counts[thread] || 0) + 1
    end

    # Prepended to Thread.
    module Counting
      def raise(*args, **kwargs)
        # A thread raising into itself raises at once, as Kernel#raise:
        # whatever interrupt mask is in place (Sandbox's, for one).
        return KERNEL_RAISE.bind_call(self, *args, **kwargs) if equal?(Thread.current)

        ThreadRaises.add(BEGUN, self)
        begin
          super
        ensure
          ThreadRaises.add(QUEUED, self)
        end
      end
    end
    private_constant :Counting

    Thread.prepend(Counting)
  end
  private_constant :ThreadRaises
end
