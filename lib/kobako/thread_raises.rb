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
  # (before the exception is queued) and the dispatcher compares the count
  # around each service call.
  module ThreadRaises
    KEY = :kobako_thread_raises
    private_constant :KEY

    # How many times other threads have raised into +thread+.
    def self.count(thread) = thread.thread_variable_get(KEY) || 0

    # The current thread's count, or nil when a raise is already queued (it
    # is delivered somewhere after this). Asked on every service call: one
    # method, no helpers.
    def self.mark
      Thread.current.thread_variable_get(KEY) || 0 unless Thread.pending_interrupt?
    end

    # Whether no other thread raised into this one since +mark+.
    def self.none_since?(mark) = mark == count(Thread.current)

    # Prepended to Thread.
    module Counting
      def raise(*)
        thread_variable_set(KEY, ThreadRaises.count(self) + 1) unless equal?(Thread.current)
        super
      end
    end
    private_constant :Counting

    Thread.prepend(Counting)
  end
  private_constant :ThreadRaises
end
